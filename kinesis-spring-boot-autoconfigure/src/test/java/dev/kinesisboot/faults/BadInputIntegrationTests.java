package dev.kinesisboot.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.producer.KinesisProducer;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.listener.ListenerErrorHandler;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.SdkBytes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad input against a real Kinesis API: each bad record fails alone, with an error that
 * names the problem, and the good records around it go through. (Bad JSON for a typed
 * listener is in KinesisListenerIntegrationTests, bad properties in
 * KinesisAutoConfigurationTests and KinesisOptionsMapperTests.)
 */
@RequiresLocalServers(LocalServer.KINESIS)
class BadInputIntegrationTests {

	@Test
	void oversizedRecordsAndInvalidKeysFailAloneWithTheLimitInTheMessage(LocalKinesis kinesis) {
		String stream = kinesis.createStream("bad-put", 2);
		try (KinesisProducer producer = KinesisProducer.builder(kinesis.client()).streamName(stream).build()) {
			List<CompletableFuture<PutResult>> good = new ArrayList<>();
			for (int i = 0; i < 50; i++) {
				good.add(producer.put("good-" + i, "k" + i));
			}
			CompletableFuture<PutResult> oversized = producer.put(new byte[1024 * 1024 + 1], "big");
			CompletableFuture<PutResult> longKey = producer.put("x", "k".repeat(257));
			CompletableFuture<PutResult> emptyKey = producer.put("x", "");
			for (int i = 50; i < 100; i++) {
				good.add(producer.put("good-" + i, "k" + i));
			}
			producer.flush().join();
			assertThat(oversized).failsWithin(Duration.ofSeconds(10))
				.withThrowableThat()
				.withMessageContaining("1048576");
			assertThat(longKey).failsWithin(Duration.ofSeconds(10)).withThrowableThat().withMessageContaining("256");
			assertThat(emptyKey).failsWithin(Duration.ofSeconds(10))
				.withThrowableThat()
				.withMessageContaining("Partition key must not be empty");
			good.forEach((put) -> assertThat(put).succeedsWithin(Duration.ofSeconds(30)));
			List<String> stored = kinesis.readAll(stream)
				.stream()
				.map((record) -> record.data().asUtf8String())
				.toList();
			assertThat(stored).hasSize(100).allMatch((data) -> data.startsWith("good-"));
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

	@Test
	void corruptedAggregateAndAPoisonRecordDoNotStopTheRecordsAroundThem(LocalKinesis kinesis) {
		String stream = kinesis.createStream("bad-read", 1);
		try {
			// the KPL magic followed by garbage: not a valid aggregate
			byte[] corrupted = new byte[64];
			corrupted[0] = (byte) 0xF3;
			corrupted[1] = (byte) 0x89;
			corrupted[2] = (byte) 0x9A;
			corrupted[3] = (byte) 0xC2;
			List<byte[]> payloads = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				payloads.add(("good-" + i).getBytes(StandardCharsets.UTF_8));
			}
			payloads.add(5, corrupted);
			payloads.add(12, "poison".getBytes(StandardCharsets.UTF_8));
			for (byte[] payload : payloads) {
				kinesis.client()
					.putRecord((r) -> r.streamName(stream).partitionKey("same").data(SdkBytes.fromByteArray(payload)))
					.join();
			}
			Set<String> handled = ConcurrentHashMap.newKeySet();
			List<String> recovered = new CopyOnWriteArrayList<>();
			List<Integer> corruptedSizes = new CopyOnWriteArrayList<>();
			try (KinesisConsumer consumer = KinesisConsumer.builder(kinesis.client())
				.streamName(stream)
				.options(ConsumerOptions.builder()
					.initialPosition(InitialPosition.TRIM_HORIZON)
					.pollInterval(Duration.ofMillis(100))
					.handlerRetryBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
					.build())
				.checkpointer(new MemoryCheckpointer(CheckpointerSettings.of("bad", stream)))
				.errorHandler(new ListenerErrorHandler(3, (record, error, attempts) -> {
					recovered.add(record.dataAsString());
					return CompletableFuture.completedFuture(null);
				}))
				.build()) {
				consumer.start((KinesisRecord<byte[]> record) -> {
					if (record.data().length == corrupted.length && record.data()[0] == corrupted[0]) {
						// delivered as it is, not unpacked (and logged with shard and
						// sequence)
						corruptedSizes.add(record.data().length);
						return;
					}
					String text = record.dataAsString();
					if (text.equals("poison")) {
						throw new IllegalArgumentException("cannot handle " + text);
					}
					handled.add(text);
				});
				await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 20 && recovered.size() == 1);
			}
			assertThat(recovered).containsExactly("poison");
			assertThat(corruptedSizes).containsExactly(64);
			assertThat(handled).hasSize(20);
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

}
