package dev.kinesisboot.metrics;

import java.util.Map;

/**
 * The default collector: keeps nothing and allocates nothing. Thread-safe.
 */
public final class NoOpMetricsCollector implements MetricsCollector {

	/** The shared instance. */
	public static final NoOpMetricsCollector INSTANCE = new NoOpMetricsCollector();

	private NoOpMetricsCollector() {
	}

	@Override
	public void increment(MetricType metric, double value, Map<String, String> labels) {
	}

	@Override
	public void increment(MetricType metric, Map<String, String> labels) {
	}

	@Override
	public void gauge(MetricType metric, double value, Map<String, String> labels) {
	}

	@Override
	public void histogram(MetricType metric, double value, Map<String, String> labels) {
	}

	@Override
	public Timer timer(MetricType metric, Map<String, String> labels) {
		return Timer.noop();
	}

}
