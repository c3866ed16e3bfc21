package dev.kinesisboot.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.consumer.BatchListenerFailedException;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.listener.DeadLetterEnvelope;
import dev.kinesisboot.listener.KinesisListener;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;
import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalKinesisProperties;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.model.Record;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Listener error handling against kinesis-local: a record that keeps failing goes, after
 * its attempts, to the dead-letter stream in an envelope that says where it came from and
 * why it failed; a batch listener that names its failed record has only that one
 * dead-lettered, the others handled once; a payload that cannot be bound goes there at
 * once; and the checkpoint passes each of them.
 */
@RequiresLocalServers(LocalServer.KINESIS)
@SpringBootTest(classes = KinesisListenerErrorHandlingIntegrationTests.TestApplication.class)
@DirtiesContext
class KinesisListenerErrorHandlingIntegrationTests {

	static final Map<String, String> STREAMS = Map.of("record", TestNames.unique("eh-record"), "batch",
			TestNames.unique("eh-batch"), "dlq", TestNames.unique("eh-dlq"));

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		LocalKinesisProperties.register(registry);
		registry.add("kinesis.consumer.retry-backoff", () -> "20ms");
		registry.add("kinesis.consumer.retry-backoff-max", () -> "100ms");
		registry.add("kinesis.consumer.max-attempts", () -> "3");
		// created at start-up, as kinesis.consumer.create-stream is on
		registry.add("kinesis.consumer.dead-letter-stream", () -> STREAMS.get("dlq"));
		STREAMS.forEach((key, name) -> registry.add("test.streams." + key, () -> name));
	}

	@Autowired
	KinesisTemplate template;

	@Autowired
	Listeners listeners;

	@Autowired
	KinesisListenerEndpointRegistry registry;

	@Test
	void failedRecordsReachTheDeadLetterStreamInAnEnvelopeAndTheCheckpointPassesThem(LocalKinesis kinesis) {
		String recordStream = STREAMS.get("record");
		this.template.send(recordStream, "k-1", new Order("o-1", 1)).join();
		PutResult poison = this.template.send(recordStream, "poison-key", new Order("poison", 2)).join();
		this.template.send(recordStream, "bad-json", "this is not json").join();
		PutResult last = this.template.send(recordStream, "k-3", new Order("o-3", 3)).join();
		String batchStream = STREAMS.get("batch");
		for (int i = 1; i <= 6; i++) {
			this.template.send(batchStream, "b", new Order((i == 4) ? "bad" : "b-" + i, i));
		}
		this.template.flush().join();

		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(envelopes(kinesis)).hasSize(3));
		List<DeadLetterEnvelope> envelopes = envelopes(kinesis);
		assertThat(envelopes).filteredOn((envelope) -> envelope.partitionKey().equals("poison-key"))
			.singleElement()
			.satisfies((envelope) -> {
				assertThat(envelope.stream()).isEqualTo(recordStream);
				assertThat(envelope.shardId()).isEqualTo(poison.shardId());
				assertThat(envelope.sequenceNumber()).isEqualTo(poison.sequenceNumber());
				assertThat(envelope.subSequenceNumber()).isZero();
				assertThat(envelope.arrivalTime()).isNotNull();
				assertThat(envelope.attempts()).isEqualTo(3);
				assertThat(envelope.exception()).isEqualTo(IllegalStateException.class.getName());
				assertThat(envelope.exceptionMessage()).isEqualTo("order poison cannot be shipped");
				assertThat(envelope.failedAt()).isAfterOrEqualTo(envelope.arrivalTime());
				assertThat(new String(envelope.data(), StandardCharsets.UTF_8))
					.isEqualTo("{\"id\":\"poison\",\"quantity\":2}");
			});
		// not retryable: dead-lettered after the first attempt
		assertThat(envelopes).filteredOn((envelope) -> envelope.partitionKey().equals("bad-json"))
			.singleElement()
			.satisfies((envelope) -> {
				assertThat(envelope.attempts()).isEqualTo(1);
				assertThat(new String(envelope.data(), StandardCharsets.UTF_8)).isEqualTo("this is not json");
			});
		assertThat(envelopes).filteredOn((envelope) -> envelope.stream().equals(batchStream))
			.singleElement()
			.satisfies((envelope) -> assertThat(new String(envelope.data(), StandardCharsets.UTF_8))
				.contains("\"id\":\"bad\""));
		assertThat(this.listeners.poisonCalls).hasValue(3);

		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			assertThat(this.listeners.orders).extracting(Order::id).containsExactly("o-1", "o-3");
			// each good record of the batch handled once: the three before the bad one
			// were not handed over again
			assertThat(this.listeners.batched).extracting(Order::id).containsExactly("b-1", "b-2", "b-3", "b-5", "b-6");
		});
		KinesisConsumer consumer = this.registry.getListenerContainer("record").getConsumers().get(0);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(consumer.checkpointer().getCheckpoint(last.shardId()).join())
				.contains(Checkpoint.at(last.sequenceNumber())));
		assertThat(consumer.status().get(0).consecutiveErrors()).isZero();
	}

	@Test
	void aMissingDeadLetterStreamFailsStartUpBeforeAnyListenerRuns(LocalKinesis kinesis) {
		String missing = TestNames.unique("eh-missing-dlq");
		new ApplicationContextRunner().withUserConfiguration(TestApplication.class)
			.withPropertyValues("kinesis.endpoint=" + LocalServer.KINESIS.endpoint(), "kinesis.region=us-east-1",
					"kinesis.credentials.access-key=local", "kinesis.credentials.secret-key=local",
					"kinesis.consumer.create-stream=false", "kinesis.consumer.dead-letter-stream=" + missing,
					"test.streams.record=" + STREAMS.get("record"), "test.streams.batch=" + STREAMS.get("batch"))
			.run((context) -> {
				// before the fix start-up passed, and every failed record re-ran its
				// listener while the shard looked healthy
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).hasStackTraceContaining("Stream '" + missing + "' not found")
					.hasStackTraceContaining("dead-letter stream");
			});
	}

	private static List<DeadLetterEnvelope> envelopes(LocalKinesis kinesis) {
		return kinesis.readAll(STREAMS.get("dlq"))
			.stream()
			.map(Record::data)
			.map((data) -> DeadLetterEnvelope.decode(data.asByteArray()))
			.toList();
	}

	record Order(String id, int quantity) {
	}

	static class Listeners {

		final List<Order> orders = new CopyOnWriteArrayList<>();

		final List<Order> batched = new CopyOnWriteArrayList<>();

		final AtomicInteger poisonCalls = new AtomicInteger();

		@KinesisListener(id = "record", streams = "${test.streams.record}")
		void onOrder(Order order) {
			if (order.id().equals("poison")) {
				this.poisonCalls.incrementAndGet();
				throw new IllegalStateException("order poison cannot be shipped");
			}
			this.orders.add(order);
		}

		@KinesisListener(id = "batch", streams = "${test.streams.batch}", batch = "true")
		void onBatch(List<Order> orders) {
			for (int i = 0; i < orders.size(); i++) {
				if (orders.get(i).id().equals("bad")) {
					throw new BatchListenerFailedException("order bad", new IllegalArgumentException("bad order"), i);
				}
				this.batched.add(orders.get(i));
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		Listeners listeners() {
			return new Listeners();
		}

	}

}
