package dev.kinesisboot.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The namespace the README tells async-kinesis users to set gives the names their
 * dashboards know.
 */
class AsyncKinesisNamespaceTests {

	@Test
	void namespaceAsyncKinesisPrintsAsyncKinesisPrefixedNames() {
		PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		MicrometerMetricsCollector metrics = new MicrometerMetricsCollector(registry, "async_kinesis");
		metrics.increment(MetricType.PRODUCER_RECORDS_SENT, 1, MetricLabels.stream("orders"));
		assertThat(registry.scrape()).contains("async_kinesis_producer_records_sent_total{stream_name=\"orders\"} 1.0");
	}

}
