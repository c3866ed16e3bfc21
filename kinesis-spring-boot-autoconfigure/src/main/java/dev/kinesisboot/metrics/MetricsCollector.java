package dev.kinesisboot.metrics;

import java.util.Map;

/**
 * Receives the metrics of producers, consumers and checkpointers. Implementations must be
 * thread-safe: every method may be called from many threads at once.
 * <p>
 * Labels are passed as a map of label key to value; keys must be valid Prometheus label
 * names. The library always passes exactly the keys of {@link MetricType#labelKeys()}.
 *
 * <pre>{@code
 * MetricsCollector metrics = new InMemoryMetricsCollector();
 * metrics.increment(MetricType.PRODUCER_RECORDS_SENT, 1, MetricLabels.stream("orders"));
 * try (Timer timer = metrics.timer(MetricType.PRODUCER_FLUSH_DURATION, MetricLabels.stream("orders"))) {
 *     sendBatch();
 * }
 * }</pre>
 */
public interface MetricsCollector {

	/**
	 * Adds to a counter.
	 * @param metric a counter metric
	 * @param value the amount to add, not negative
	 * @param labels the labels of the observation
	 */
	void increment(MetricType metric, double value, Map<String, String> labels);

	/**
	 * Adds one to a counter.
	 * @param metric a counter metric
	 * @param labels the labels of the observation
	 */
	default void increment(MetricType metric, Map<String, String> labels) {
		increment(metric, 1, labels);
	}

	/**
	 * Sets a gauge.
	 * @param metric a gauge metric
	 * @param value the current value
	 * @param labels the labels of the observation
	 */
	void gauge(MetricType metric, double value, Map<String, String> labels);

	/**
	 * Stops reporting a gauge, such as a shard's lag once this process no longer reads
	 * the shard, so that a frozen value does not linger and gauges of shards long gone do
	 * not pile up. Setting it again brings it back.
	 * @param metric a gauge metric
	 * @param labels the labels it was set with
	 */
	default void removeGauge(MetricType metric, Map<String, String> labels) {
	}

	/**
	 * Records one observation of a histogram.
	 * @param metric a histogram metric
	 * @param value the observed value (seconds for duration histograms)
	 * @param labels the labels of the observation
	 */
	void histogram(MetricType metric, double value, Map<String, String> labels);

	/**
	 * Records several observations of a duration histogram at once, for hot paths that
	 * time each item but report per batch: the same meaning as one
	 * {@link #histogram(MetricType, double, Map)} per duration, at a lower cost.
	 * @param metric a duration histogram metric
	 * @param nanos the durations, in nanoseconds
	 * @param count how many of them, from the start
	 * @param labels the labels of the observations
	 */
	default void durations(MetricType metric, long[] nanos, int count, Map<String, String> labels) {
		for (int i = 0; i < count; i++) {
			histogram(metric, nanos[i] / 1e9, labels);
		}
	}

	/**
	 * Starts a timer that records the elapsed seconds into a histogram when closed, also
	 * when the timed block throws.
	 * @param metric a duration histogram metric
	 * @param labels the labels of the observation
	 * @return a started timer, to close once
	 */
	default Timer timer(MetricType metric, Map<String, String> labels) {
		return Timer.start(this, metric, labels);
	}

}
