package dev.kinesisboot.metrics;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Measures one duration on the monotonic clock ({@link System#nanoTime()}) and records
 * it, in seconds, as a histogram observation when closed. Use it with try-with-resources
 * so the time is recorded even when the block throws. Closing twice records once.
 */
public final class Timer implements AutoCloseable {

	private static final Timer NOOP = new Timer(null, null, Map.of(), () -> 0L);

	private final MetricsCollector collector;

	private final MetricType metric;

	private final Map<String, String> labels;

	private final LongSupplier nanoClock;

	private final long startNanos;

	private final AtomicBoolean closed = new AtomicBoolean();

	Timer(MetricsCollector collector, MetricType metric, Map<String, String> labels, LongSupplier nanoClock) {
		this.collector = collector;
		this.metric = metric;
		this.labels = labels;
		this.nanoClock = nanoClock;
		this.startNanos = nanoClock.getAsLong();
	}

	/**
	 * Starts a timer.
	 * @param collector where the duration goes
	 * @param metric a duration histogram metric
	 * @param labels the labels of the observation
	 * @return the started timer
	 */
	public static Timer start(MetricsCollector collector, MetricType metric, Map<String, String> labels) {
		Objects.requireNonNull(collector, "collector");
		Objects.requireNonNull(metric, "metric");
		return new Timer(collector, metric, labels, System::nanoTime);
	}

	/**
	 * A shared timer that records nothing, for collectors that keep no metrics.
	 * @return the no-op timer
	 */
	public static Timer noop() {
		return NOOP;
	}

	/**
	 * Seconds since the timer started.
	 * @return the elapsed seconds
	 */
	public double elapsedSeconds() {
		return (this.nanoClock.getAsLong() - this.startNanos) / 1e9;
	}

	/**
	 * Records the elapsed seconds, the first time only.
	 */
	@Override
	public void close() {
		if (this.collector != null && this.closed.compareAndSet(false, true)) {
			this.collector.histogram(this.metric, elapsedSeconds(), this.labels);
		}
	}

}
