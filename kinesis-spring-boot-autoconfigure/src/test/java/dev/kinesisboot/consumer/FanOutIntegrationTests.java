package dev.kinesisboot.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import dev.kinesisboot.producer.KinesisProducer;
import dev.kinesisboot.producer.ProducerOptions;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What only fan-out has: subscriptions renewed while records flow, and the registered
 * stream consumer shared by the workers of an application. The behaviour both modes share
 * is in {@link KinesisConsumerIntegrationTests}.
 */
@RequiresLocalServers(LocalServer.KINESIS)
class FanOutIntegrationTests {

	@Test
	void recordsWrittenThroughSeveralRenewalsArriveOnceAndInOrder(LocalKinesis kinesis) throws Exception {
		String stream = kinesis.createStream("fan-out-renewal", 2);
		OperationCounter calls = new OperationCounter();
		KinesisAsyncClient client = kinesis
			.newClient((builder) -> builder.overrideConfiguration((c) -> c.addExecutionInterceptor(calls)));
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
		KinesisConsumer consumer = KinesisConsumer.builder(client)
			.streamName(stream)
			.options(KinesisConsumerIntegrationTests.fast(ConsumerMode.FAN_OUT)
				.toBuilder()
				.subscriptionRenewal(Duration.ofSeconds(1))
				.build())
			.checkpointer(new MemoryCheckpointer(KinesisConsumerIntegrationTests.settings(stream)))
			.metricsCollector(metrics)
			.build();
		int total = 400;
		try (KinesisProducer producer = KinesisProducer.builder(client)
			.streamName(stream)
			.options(ProducerOptions.builder().bufferTime(Duration.ofMillis(20)).orderedPerShard(true).build())
			.build()) {
			consumer.start((record) -> {
				String[] parts = record.dataAsString().split(":");
				perKey.computeIfAbsent(parts[0], (key) -> Collections.synchronizedList(new ArrayList<>()))
					.add(Integer.parseInt(parts[1]));
			});
			// a steady trickle for about 8 s: several renewals of each subscription
			for (int i = 0; i < total; i++) {
				producer.put("key-" + (i % 8) + ":" + i, "key-" + (i % 8));
				Thread.sleep(20);
			}
			producer.flush().join();
			await().atMost(Duration.ofMinutes(1))
				.until(() -> perKey.values().stream().mapToInt(List::size).sum() >= total);
		}
		finally {
			consumer.close();
			client.close();
			kinesis.deleteStream(stream);
		}
		assertThat(perKey.values().stream().mapToInt(List::size).sum()).isEqualTo(total);
		perKey.values().forEach((values) -> assertThat(values).isSorted().doesNotHaveDuplicates());
		// two shards, each subscribed at least four times
		assertThat(calls.count("SubscribeToShard")).isGreaterThanOrEqualTo(8);
		assertThat(calls.count("GetRecords")).isZero();
	}

	@Test
	void workersOfOneApplicationShareOneRegisteredConsumerThatIsDeregisteredOnlyWhenAsked(LocalKinesis kinesis) {
		String stream = kinesis.createStream("fan-out-register", 2);
		ConsumerOptions kept = KinesisConsumerIntegrationTests.fast(ConsumerMode.FAN_OUT);
		KinesisConsumer first = KinesisConsumer.builder(kinesis.client())
			.streamName(stream)
			.options(kept)
			.checkpointer(new MemoryCheckpointer(KinesisConsumerIntegrationTests.settings(stream)))
			.build();
		KinesisConsumer second = KinesisConsumer.builder(kinesis.client())
			.streamName(stream)
			.options(kept.toBuilder().deregisterOnClose(true).build())
			.checkpointer(new MemoryCheckpointer(KinesisConsumerIntegrationTests.settings(stream)))
			.build();
		try {
			first.start((record) -> {
			});
			second.start((record) -> {
			});
			String streamArn = kinesis.client()
				.describeStreamSummary((r) -> r.streamName(stream))
				.join()
				.streamDescriptionSummary()
				.streamARN();
			assertThat(kinesis.client().listStreamConsumers((r) -> r.streamARN(streamArn)).join().consumers())
				.singleElement()
				.satisfies((registered) -> {
					assertThat(registered.consumerName()).isEqualTo("it");
					assertThat(registered.consumerStatus()).isEqualTo(ConsumerStatus.ACTIVE);
				});
			first.close();
			assertThat(kinesis.client().listStreamConsumers((r) -> r.streamARN(streamArn)).join().consumers())
				.as("still registered after a close without deregister-on-close")
				.hasSize(1);
			second.close();
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				try {
					return kinesis.client()
						.describeStreamConsumer((r) -> r.streamARN(streamArn).consumerName("it"))
						.join()
						.consumerDescription()
						.consumerStatus() == ConsumerStatus.DELETING;
				}
				catch (RuntimeException ex) {
					return ex.getCause() instanceof ResourceNotFoundException;
				}
			});
		}
		finally {
			first.close();
			second.close();
			kinesis.deleteStream(stream);
		}
	}

}
