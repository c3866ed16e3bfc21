package dev.kinesisboot.aggregation;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import dev.kinesisboot.producer.KinesisProducer;
import dev.kinesisboot.producer.ProducerOptions;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.kinesis.model.Record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Aggregation end to end against kinesis-local: {@code KinesisProducer} packs,
 * {@code KinesisConsumer} unpacks by default.
 */
@RequiresLocalServers(LocalServer.KINESIS)
class AggregationIntegrationTests {

	private static final int RECORDS = 100_000;

	private static final int KEYS = 200;

	private static final ConsumerOptions FAST = ConsumerOptions.builder()
		.initialPosition(InitialPosition.TRIM_HORIZON)
		.pollInterval(Duration.ofMillis(200))
		.shardRefreshInterval(Duration.ofSeconds(1))
		.errorBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
		.build();

	@Test
	void hundredThousandSmallRecordsArriveOnceEachInOrderPerKey(LocalKinesis kinesis) {
		String stream = kinesis.createStream("aggregation-100k", 2);
		InMemoryMetricsCollector producerMetrics = new InMemoryMetricsCollector();
		InMemoryMetricsCollector consumerMetrics = new InMemoryMetricsCollector();
		Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
		Set<Integer> seen = ConcurrentHashMap.newKeySet();
		AtomicInteger duplicates = new AtomicInteger();
		KinesisConsumer consumer = KinesisConsumer.builder(kinesis.client())
			.streamName(stream)
			.options(FAST)
			.checkpointer(new MemoryCheckpointer(CheckpointerSettings.of("it", stream)))
			.metricsCollector(consumerMetrics)
			.build();
		try {
			consumer.start((record) -> {
				String[] parts = record.dataAsString().split(":");
				int index = Integer.parseInt(parts[1]);
				assertThat(record.partitionKey()).isEqualTo(parts[0]);
				perKey.computeIfAbsent(parts[0], (key) -> Collections.synchronizedList(new ArrayList<>())).add(index);
				if (!seen.add(index)) {
					duplicates.incrementAndGet();
				}
			});
			// ordered: two PutRecords calls to one shard at once may be stored either way
			try (KinesisProducer producer = KinesisProducer.builder(kinesis.client())
				.streamName(stream)
				.metricsCollector(producerMetrics)
				.options(ProducerOptions.builder().aggregationEnabled(true).orderedPerShard(true).build())
				.build()) {
				List<CompletableFuture<PutResult>> puts = new ArrayList<>(RECORDS);
				for (int i = 0; i < RECORDS; i++) {
					puts.add(producer.put(payload("key-" + (i % KEYS), i), "key-" + (i % KEYS)));
				}
				producer.flush().join();
				assertThat(puts).allSatisfy((put) -> assertThat(put).isCompleted().isNotCompletedExceptionally());
			}
			await().atMost(Duration.ofMinutes(2)).until(() -> seen.size() >= RECORDS);
			await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> duplicates.get() == 0);
		}
		finally {
			consumer.close();
			kinesis.deleteStream(stream);
		}
		assertThat(seen).hasSize(RECORDS);
		assertThat(perKey).hasSize(KEYS);
		perKey.values().forEach((indexes) -> assertThat(indexes).isSorted());
		double sent = producerMetrics.counters().get("producer_records_sent_total{stream_name=" + stream + "}");
		double received = consumerMetrics.counters()
			.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().startsWith("consumer_records_received_total"))
			.mapToDouble(Map.Entry::getValue)
			.sum();
		// 100,000 records of 100 bytes in about 11 MB: a dozen or so Kinesis records
		// per shard at most a few hundred
		assertThat(sent).isLessThan(RECORDS / 100.0);
		assertThat(received).isEqualTo(sent);
	}

	@Test
	void consumerResumingInsideAnAggregatedRecordHandsOverOnlyTheRecordsAfterIt(LocalKinesis kinesis) {
		String stream = kinesis.createStream("aggregation-resume", 1);
		try {
			List<PutResult> results = new ArrayList<>();
			try (KinesisProducer producer = KinesisProducer.builder(kinesis.client())
				.streamName(stream)
				.options(ProducerOptions.builder().aggregationEnabled(true).aggregationMaxSize(2048).build())
				.build()) {
				List<CompletableFuture<PutResult>> puts = new ArrayList<>();
				for (int i = 0; i < 300; i++) {
					puts.add(producer.put(payload("k" + (i % 3), i), "k" + (i % 3)));
				}
				producer.flush().join();
				puts.forEach((put) -> results.add(put.join()));
			}
			// a checkpoint in the middle of an aggregated record in the middle of the
			// stream
			PutResult middle = results.stream()
				.filter((result) -> result.subSequenceNumber() == 5)
				.skip(3)
				.findFirst()
				.orElseThrow();
			int resumeAfter = results.indexOf(middle);
			CheckpointerSettings settings = CheckpointerSettings.of("it", stream);
			MemoryCheckpointer.Store store = new MemoryCheckpointer.Store();
			String shard = middle.shardId();
			MemoryCheckpointer earlier = new MemoryCheckpointer(settings.withWorkerId("earlier"), store);
			earlier.takeLease(shard, null).join();
			earlier.checkpoint(shard, new Checkpoint(middle.sequenceNumber(), middle.subSequenceNumber())).join();
			earlier.releaseLease(shard).join();

			List<Integer> handled = Collections.synchronizedList(new ArrayList<>());
			KinesisConsumer consumer = KinesisConsumer.builder(kinesis.client())
				.streamName(stream)
				.options(FAST)
				.checkpointer(new MemoryCheckpointer(settings, store))
				.build();
			try {
				consumer.start((record) -> handled.add(Integer.parseInt(record.dataAsString().split(":")[1])));
				await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() >= 300 - resumeAfter - 1);
				await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> true);
			}
			finally {
				consumer.close();
			}
			List<Integer> expected = new ArrayList<>();
			for (int i = resumeAfter + 1; i < 300; i++) {
				expected.add(i);
			}
			assertThat(handled).containsExactlyElementsOf(expected);
			List<Record> stored = kinesis.readAll(stream);
			assertThat(stored).hasSizeLessThan(300)
				.anySatisfy((record) -> assertThat(new BigInteger(record.sequenceNumber()))
					.isEqualTo(new BigInteger(middle.sequenceNumber())));
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

	/** {@code key:index} padded to 100 bytes. */
	private static byte[] payload(String key, int index) {
		StringBuilder text = new StringBuilder(key).append(':').append(index).append(':');
		while (text.length() < 100) {
			text.append('x');
		}
		return text.toString().getBytes(StandardCharsets.UTF_8);
	}

}
