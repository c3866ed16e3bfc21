package dev.kinesisboot.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MetricTypeTests {

	@Test
	void micrometerNamesDropWhatThePrometheusRegistryAddsBack() {
		assertThat(MetricType.PRODUCER_RECORDS_SENT.meterName()).isEqualTo("producer.records.sent");
		assertThat(MetricType.PRODUCER_FLUSH_DURATION.meterName()).isEqualTo("producer.flush.duration");
		assertThat(MetricType.PRODUCER_BATCH_SIZE.meterName()).isEqualTo("producer.batch.size");
		assertThat(MetricType.CONSUMER_ITERATOR_AGE.meterName()).isEqualTo("consumer.iterator.age.milliseconds");
	}

	@Test
	void bucketsAreDefensiveCopies() {
		MetricType.PRODUCER_BATCH_SIZE.buckets()[0] = 99;
		assertThat(MetricType.PRODUCER_BATCH_SIZE.buckets()[0]).isEqualTo(1.0);
	}

}
