package dev.kinesisboot.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A collector with its own Prometheus registry, for applications without Spring Boot:
 * serve {@link #scrape()} from any HTTP endpoint. With Spring Boot, use the
 * {@link MicrometerMetricsCollector} over the application's registry instead.
 *
 * <pre>{@code
 * PrometheusMetricsCollector metrics = new PrometheusMetricsCollector("my_app");
 * KinesisMetrics.setMetricsCollector(metrics);
 * String text = metrics.scrape();   // my_app_producer_records_sent_total{stream_name="orders"} 42.0 ...
 * }</pre> Thread-safe.
 */
public class PrometheusMetricsCollector extends MicrometerMetricsCollector {

	/** The namespace used when none is given. */
	public static final String DEFAULT_NAMESPACE = "kinesis";

	/**
	 * A collector with the namespace {@value #DEFAULT_NAMESPACE}.
	 */
	public PrometheusMetricsCollector() {
		this(DEFAULT_NAMESPACE);
	}

	/**
	 * A collector with its own registry.
	 * @param namespace the metric name prefix, such as {@code my_app}; empty for none
	 */
	public PrometheusMetricsCollector(String namespace) {
		this(namespace, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
	}

	/**
	 * A collector over an existing Prometheus registry.
	 * @param namespace the metric name prefix; empty for none
	 * @param registry the registry
	 */
	public PrometheusMetricsCollector(String namespace, PrometheusMeterRegistry registry) {
		super(registry, namespace);
	}

	@Override
	public PrometheusMeterRegistry getRegistry() {
		return (PrometheusMeterRegistry) super.getRegistry();
	}

	/**
	 * The metrics in the Prometheus text exposition format.
	 * @return the scrape text
	 */
	public String scrape() {
		return getRegistry().scrape();
	}

}
