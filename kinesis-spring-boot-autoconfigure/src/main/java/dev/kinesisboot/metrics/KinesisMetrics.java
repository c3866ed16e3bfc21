package dev.kinesisboot.metrics;

import java.util.Objects;

/**
 * The process-wide default {@link MetricsCollector}, read when a producer, consumer or
 * checkpointer is built without a collector of its own (an explicit collector always
 * wins). It starts as {@link NoOpMetricsCollector}. Thread-safe.
 * <p>
 * Every component built without its own collector shares this one; give each consumer its
 * own collector when you need to tell several apart.
 */
public final class KinesisMetrics {

	private static volatile MetricsCollector collector = NoOpMetricsCollector.INSTANCE;

	private KinesisMetrics() {
	}

	/**
	 * Sets the process-wide default collector.
	 * @param metricsCollector the collector, not {@code null} (use {@link #reset()} to
	 * disable)
	 */
	public static void setMetricsCollector(MetricsCollector metricsCollector) {
		collector = Objects.requireNonNull(metricsCollector,
				"metricsCollector must not be null; call KinesisMetrics.reset() to disable metrics");
	}

	/**
	 * The process-wide default collector.
	 * @return the collector set last, or the no-op collector
	 */
	public static MetricsCollector getMetricsCollector() {
		return collector;
	}

	/**
	 * Puts the no-op collector back as the default.
	 */
	public static void reset() {
		collector = NoOpMetricsCollector.INSTANCE;
	}

	/**
	 * The collector a component should use: its own when given, else the process-wide
	 * default.
	 * @param explicit the collector the component was built with, may be {@code null}
	 * @return the collector to use
	 */
	public static MetricsCollector orDefault(MetricsCollector explicit) {
		return (explicit != null) ? explicit : collector;
	}

}
