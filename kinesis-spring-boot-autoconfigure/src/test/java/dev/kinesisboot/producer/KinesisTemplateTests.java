package dev.kinesisboot.producer;

import java.time.Duration;

import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class KinesisTemplateTests {

	@Test
	void keepsOneProducerPerStreamAndClosesThemAll() {
		FakeKinesisClient kinesis = new FakeKinesisClient(2);
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		KinesisTemplate template = new KinesisTemplate(kinesis,
				ProducerOptions.builder().bufferTime(Duration.ofMillis(10)).build(), metrics,
				new DefaultPayloadSerializer());
		template.send("orders", "order-1", "{\"id\":1}").join();
		template.send("orders", "{\"id\":2}").join();
		template.send("invoices", "key", new byte[] { 1, 2, 3 }).join();

		assertThat(template.producer("orders")).isSameAs(template.producer("orders"));
		assertThat(kinesis.stored).hasSize(3);
		assertThat(metrics.counters()).containsEntry("producer_records_sent_total{stream_name=orders}", 2.0)
			.containsEntry("producer_records_sent_total{stream_name=invoices}", 1.0);

		KinesisProducer orders = template.producer("orders");
		template.close();
		assertThatIllegalStateException().isThrownBy(() -> orders.put("late"));
		assertThatIllegalStateException().isThrownBy(() -> template.send("orders", "late"))
			.withMessageContaining("closed");
		kinesis.close();
	}

	@Test
	void streamArnIsUsedAsArnAndLabelledByName() {
		FakeKinesisClient kinesis = new FakeKinesisClient(1);
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		try (KinesisTemplate template = new KinesisTemplate(kinesis,
				ProducerOptions.builder().bufferTime(Duration.ofMillis(10)).build(), metrics,
				new DefaultPayloadSerializer())) {
			template.send("arn:aws:kinesis:us-east-1:000000000000:stream/payments", "x").join();
			assertThat(kinesis.calls.get(0).streamARN())
				.isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/payments");
			assertThat(kinesis.calls.get(0).streamName()).isNull();
			assertThat(metrics.counters()).containsKey("producer_records_sent_total{stream_name=payments}");
		}
		kinesis.close();
	}

}
