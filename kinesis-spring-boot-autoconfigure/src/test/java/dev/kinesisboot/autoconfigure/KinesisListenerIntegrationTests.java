package dev.kinesisboot.autoconfigure;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.consumer.CheckpointMode;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.listener.Acknowledgement;
import dev.kinesisboot.listener.KinesisListener;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;
import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.testsupport.LocalKinesisProperties;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Spring Boot application with {@code @KinesisListener} methods against kinesis-local:
 * records sent with {@link KinesisTemplate} reach every kind of listener parameter,
 * failures are retried, manual acknowledgements checkpoint, and the Prometheus scrape
 * shows the counts.
 */
@RequiresLocalServers(LocalServer.KINESIS)
@SpringBootTest(classes = KinesisListenerIntegrationTests.TestApplication.class)
@DirtiesContext
class KinesisListenerIntegrationTests {

	static final Map<String, String> STREAMS = Map.of("orders", TestNames.unique("l-orders"), "records",
			TestNames.unique("l-records"), "text", TestNames.unique("l-text"), "bytes", TestNames.unique("l-bytes"),
			"batch", TestNames.unique("l-batch"), "manual", TestNames.unique("l-manual"), "failing",
			TestNames.unique("l-failing"));

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		LocalKinesisProperties.register(registry);
		registry.add("kinesis.consumer.retry-backoff", () -> "20ms");
		registry.add("kinesis.consumer.retry-backoff-max", () -> "100ms");
		registry.add("kinesis.consumer.lease-duration", () -> "3s");
		registry.add("kinesis.metrics.namespace", () -> "it");
		STREAMS.forEach((key, name) -> registry.add("test.streams." + key, () -> name));
	}

	@Autowired
	KinesisTemplate template;

	@Autowired
	Listeners listeners;

	@Autowired
	KinesisListenerEndpointRegistry registry;

	@Autowired
	PrometheusMeterRegistry prometheus;

	@Autowired
	ConfigurableApplicationContext context;

	@Test
	void listenersReceiveEveryParameterKindRetryFailuresAndCheckpoint() {
		this.template.send(STREAMS.get("orders"), "o-1", new Order("o-1", 3)).join();
		this.template.send(STREAMS.get("orders"), "bad", "this is not json").join();
		this.template.send(STREAMS.get("orders"), "o-2", new Order("o-2", 5)).join();
		this.template.send(STREAMS.get("records"), "r-1", new Order("r-1", 1)).join();
		this.template.send(STREAMS.get("text"), "t", "héllo").join();
		this.template.send(STREAMS.get("bytes"), "b", new byte[] { 1, 2, 3 }).join();
		for (int i = 0; i < 20; i++) {
			this.template.send(STREAMS.get("batch"), "k" + i, new Order("b-" + i, i));
		}
		this.template.flush().join();
		PutResult poison = this.template.send(STREAMS.get("failing"), "p", "poison").join();
		PutResult manual = this.template.send(STREAMS.get("manual"), "m", "ack me").join();

		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			assertThat(this.listeners.orders).extracting(Order::id).containsExactly("o-1", "o-2");
			assertThat(this.listeners.records).singleElement().satisfies((record) -> {
				assertThat(record.payload()).isEqualTo(new Order("r-1", 1));
				assertThat(record.partitionKey()).isEqualTo("r-1");
				assertThat(record.shardId()).startsWith("shardId-");
				assertThat(record.sequenceNumber()).isNotBlank();
				assertThat(record.approximateArrivalTimestamp()).isNotNull();
			});
			assertThat(this.listeners.texts).containsExactly("héllo");
			assertThat(this.listeners.bytes).singleElement().isEqualTo("1,2,3");
			assertThat(this.listeners.batched).hasSize(20);
			assertThat(this.listeners.failingAttempts.get()).isGreaterThanOrEqualTo(3);
			assertThat(this.listeners.failingHandled).containsExactly("poison");
			assertThat(this.listeners.acknowledged).containsExactly("ack me");
		});
		assertThat(this.listeners.batchCalls.get()).isLessThan(20);

		KinesisConsumer manualConsumer = this.registry.getListenerContainer("manual").getConsumers().get(0);
		assertThat(manualConsumer.options().checkpointMode()).isEqualTo(CheckpointMode.MANUAL);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(manualConsumer.checkpointer().getCheckpoint(manual.shardId()).join())
				.contains(Checkpoint.at(manual.sequenceNumber())));

		KinesisConsumer failingConsumer = this.registry.getListenerContainer("failing").getConsumers().get(0);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(failingConsumer.checkpointer().getCheckpoint(poison.shardId()).join())
				.contains(Checkpoint.at(poison.sequenceNumber())));

		String scrape = this.prometheus.scrape();
		assertThat(scrape).contains("it_producer_records_sent_total{stream_name=\"" + STREAMS.get("batch") + "\"} 20.0")
			.contains("it_consumer_records_received_total{shard_id=\"shardId-000000000000\",stream_name=\""
					+ STREAMS.get("orders") + "\"} 3.0")
			.contains("it_consumer_processing_time_seconds_count")
			.contains("it_stream_shards_active{stream_name=\"" + STREAMS.get("text") + "\"} 1.0");
	}

	@Test
	void containersCanBeStoppedAndStartedById() {
		var container = this.registry.getListenerContainer("text");
		assertThat(container.isRunning()).isTrue();
		container.stop();
		assertThat(container.isRunning()).isFalse();
		container.start();
		assertThat(container.isRunning()).isTrue();
	}

	record Order(String id, int quantity) {
	}

	static class Listeners {

		final List<Order> orders = new CopyOnWriteArrayList<>();

		final List<KinesisRecord<Order>> records = new CopyOnWriteArrayList<>();

		final List<String> texts = new CopyOnWriteArrayList<>();

		final List<String> bytes = new CopyOnWriteArrayList<>();

		final List<Order> batched = new CopyOnWriteArrayList<>();

		final AtomicInteger batchCalls = new AtomicInteger();

		final AtomicInteger failingAttempts = new AtomicInteger();

		final List<String> failingHandled = new CopyOnWriteArrayList<>();

		final List<String> acknowledged = new CopyOnWriteArrayList<>();

		final Map<String, Integer> seen = new ConcurrentHashMap<>();

		@KinesisListener(id = "orders", streams = "${test.streams.orders}")
		void onOrder(Order order) {
			this.orders.add(order);
		}

		@KinesisListener(id = "records", streams = "${test.streams.records}")
		void onRecord(KinesisRecord<Order> record) {
			this.records.add(record);
		}

		@KinesisListener(id = "text", streams = "${test.streams.text}")
		void onText(String text) {
			this.texts.add(text);
		}

		@KinesisListener(id = "bytes", streams = "${test.streams.bytes}")
		void onBytes(ByteBuffer buffer) {
			byte[] data = new byte[buffer.remaining()];
			buffer.get(data);
			StringBuilder text = new StringBuilder();
			for (byte b : data) {
				text.append((text.length() > 0) ? "," : "").append(b);
			}
			this.bytes.add(text.toString());
		}

		@KinesisListener(id = "batch", streams = "${test.streams.batch}", batch = "true")
		void onBatch(List<Order> orders) {
			this.batchCalls.incrementAndGet();
			this.batched.addAll(orders);
		}

		@KinesisListener(id = "failing", streams = "${test.streams.failing}")
		void onFailing(byte[] data) {
			if (this.failingAttempts.incrementAndGet() < 3) {
				throw new IllegalStateException("not yet");
			}
			this.failingHandled.add(new String(data, StandardCharsets.UTF_8));
		}

		@KinesisListener(id = "manual", streams = "${test.streams.manual}", checkpointMode = "MANUAL")
		void onManual(KinesisRecord<String> record, Acknowledgement acknowledgement) {
			this.acknowledged.add(record.payload());
			acknowledgement.acknowledge();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		PrometheusMeterRegistry prometheusMeterRegistry() {
			return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		}

		@Bean
		Listeners listeners() {
			return new Listeners();
		}

	}

}
