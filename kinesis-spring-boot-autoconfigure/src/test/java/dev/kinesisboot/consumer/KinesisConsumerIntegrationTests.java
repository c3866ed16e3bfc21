package dev.kinesisboot.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import dev.kinesisboot.producer.KinesisProducer;
import dev.kinesisboot.producer.ProducerOptions;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@RequiresLocalServers(LocalServer.KINESIS)
class KinesisConsumerIntegrationTests {

	static final ConsumerOptions FAST = ConsumerOptions.builder()
		.initialPosition(InitialPosition.TRIM_HORIZON)
		.pollInterval(Duration.ofMillis(200))
		.shardRefreshInterval(Duration.ofSeconds(1))
		.errorBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
		.handlerRetryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
		.build();

	// Stream names here avoid the word "consumer": kinesis-local 0.6.2 misreads a
	// consumer ARN whose stream name contains it ("stream/undefined/consumer/...").

	/**
	 * The options of these tests in a mode; fan-out subscriptions are renewed every 2 s,
	 * so every test also runs through renewals.
	 */
	static ConsumerOptions fast(ConsumerMode mode) {
		return FAST.toBuilder().mode(mode).subscriptionRenewal(Duration.ofSeconds(2)).build();
	}

	static CheckpointerSettings settings(String stream) {
		return CheckpointerSettings.of("it", stream).withLeaseDuration(Duration.ofSeconds(3));
	}

	@ParameterizedTest
	@EnumSource(ConsumerMode.class)
	void tenThousandRecordsOverFourShardsArriveInOrderPerKeyAndAreCheckpointedAtTheEnd(ConsumerMode mode,
			LocalKinesis kinesis) throws Exception {
		String stream = kinesis.createStream("reader-10k", 4);
		Map<String, PutResult> lastPerShard = new ConcurrentHashMap<>();
		// ordered: concurrent PutRecords calls to one shard may be stored in either order
		try (KinesisProducer producer = KinesisProducer.builder(kinesis.client())
			.streamName(stream)
			.options(ProducerOptions.builder().orderedPerShard(true).build())
			.build()) {
			List<java.util.concurrent.CompletableFuture<PutResult>> futures = new ArrayList<>();
			for (int i = 0; i < 10_000; i++) {
				futures.add(producer.put("key-" + (i % 50) + ":" + i, "key-" + (i % 50)));
			}
			producer.flush().join();
			for (var future : futures) {
				PutResult result = future.join();
				lastPerShard.merge(result.shardId(), result, (a, b) -> new java.math.BigInteger(a.sequenceNumber())
					.compareTo(new java.math.BigInteger(b.sequenceNumber())) >= 0 ? a : b);
			}
		}
		MemoryCheckpointer checkpointer = new MemoryCheckpointer(settings(stream));
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
		AtomicInteger received = new AtomicInteger();
		OperationCounter calls = new OperationCounter();
		KinesisAsyncClient client = kinesis
			.newClient((builder) -> builder.overrideConfiguration((c) -> c.addExecutionInterceptor(calls)));
		KinesisConsumer consumer = KinesisConsumer.builder(client)
			.streamName(stream)
			.options(fast(mode))
			.checkpointer(checkpointer)
			.metricsCollector(metrics)
			.build();
		try {
			consumer.start((record) -> {
				String[] parts = record.dataAsString().split(":");
				perKey.computeIfAbsent(parts[0], (k) -> Collections.synchronizedList(new ArrayList<>()))
					.add(Integer.parseInt(parts[1]));
				received.incrementAndGet();
			});
			await().atMost(Duration.ofMinutes(3)).until(() -> received.get() >= 10_000);
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(
						() -> lastPerShard.forEach((shard, put) -> assertThat(checkpointer.getCheckpoint(shard).join())
							.contains(Checkpoint.at(put.sequenceNumber()))));
		}
		finally {
			consumer.close();
			client.close();
			kinesis.deleteStream(stream);
		}
		if (mode == ConsumerMode.FAN_OUT) {
			assertThat(calls.count("SubscribeToShard")).isGreaterThanOrEqualTo(4);
			assertThat(calls.count("GetRecords")).isZero();
		}
		else {
			assertThat(calls.count("GetRecords")).isPositive();
			assertThat(calls.count("SubscribeToShard")).isZero();
		}
		assertThat(received.get()).isEqualTo(10_000);
		assertThat(perKey).hasSize(50);
		perKey.values().forEach((values) -> assertThat(values).isSorted().doesNotHaveDuplicates());
		String labels = "stream_name=" + stream;
		assertThat(metrics.gauges()).containsEntry("stream_shards_active{" + labels + "}", 4.0);
		double receivedTotal = metrics.counters()
			.entrySet()
			.stream()
			.filter((e) -> e.getKey().startsWith("consumer_records_received_total"))
			.mapToDouble(Map.Entry::getValue)
			.sum();
		assertThat(receivedTotal).isEqualTo(10_000.0);
		assertThat(metrics.histograms().keySet()).anyMatch((key) -> key.startsWith("consumer_processing_time_seconds"));
	}

	@ParameterizedTest
	@EnumSource(ConsumerMode.class)
	void restartResumesAfterTheCheckpoint(ConsumerMode mode, LocalKinesis kinesis) throws Exception {
		String stream = kinesis.createStream("reader-restart", 2);
		MemoryCheckpointer.Store store = new MemoryCheckpointer.Store();
		try (KinesisProducer producer = KinesisProducer.builder(kinesis.client()).streamName(stream).build()) {
			for (int i = 0; i < 500; i++) {
				producer.put("first-" + i);
			}
			producer.flush().join();
			Set<String> seen = ConcurrentHashMap.newKeySet();
			List<String> duplicates = new CopyOnWriteArrayList<>();
			KinesisConsumer first = KinesisConsumer.builder(kinesis.client())
				.streamName(stream)
				.options(fast(mode))
				.checkpointer(new MemoryCheckpointer(settings(stream), store))
				.build();
			first.start((record) -> {
				if (!seen.add(record.dataAsString())) {
					duplicates.add(record.dataAsString());
				}
			});
			await().atMost(Duration.ofMinutes(1)).until(() -> seen.size() >= 500);
			first.close();

			for (int i = 0; i < 500; i++) {
				producer.put("second-" + i);
			}
			producer.flush().join();
			KinesisConsumer second = KinesisConsumer.builder(kinesis.client())
				.streamName(stream)
				.options(fast(mode))
				.checkpointer(new MemoryCheckpointer(settings(stream), store))
				.build();
			AtomicInteger firstSeenAgain = new AtomicInteger();
			second.start((record) -> {
				if (record.dataAsString().startsWith("first-")) {
					firstSeenAgain.incrementAndGet();
				}
				if (!seen.add(record.dataAsString())) {
					duplicates.add(record.dataAsString());
				}
			});
			await().atMost(Duration.ofMinutes(1)).until(() -> seen.size() >= 1000);
			second.close();
			assertThat(firstSeenAgain.get()).as("records re-read after a graceful restart").isZero();
			assertThat(duplicates).isEmpty();
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

	@ParameterizedTest
	@EnumSource(ConsumerMode.class)
	void failingRecordIsRetriedAndTheCheckpointNeverPassesItWhileOtherShardsFlow(ConsumerMode mode,
			LocalKinesis kinesis) throws Exception {
		String stream = kinesis.createStream("reader-failing", 2);
		try (KinesisProducer producer = KinesisProducer.builder(kinesis.client()).streamName(stream).build()) {
			PutResult poison = null;
			List<PutResult> results = new ArrayList<>();
			List<java.util.concurrent.CompletableFuture<PutResult>> puts = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				puts.add(producer.put("r-" + i, "k-" + i));
			}
			producer.flush().join();
			puts.forEach((put) -> results.add(put.join()));
			poison = results.get(10);
			String poisonShard = poison.shardId();
			String poisonSequence = poison.sequenceNumber();
			MemoryCheckpointer checkpointer = new MemoryCheckpointer(settings(stream));
			AtomicInteger attempts = new AtomicInteger();
			AtomicBoolean heal = new AtomicBoolean();
			Set<String> handled = ConcurrentHashMap.newKeySet();
			KinesisConsumer consumer = KinesisConsumer.builder(kinesis.client())
				.streamName(stream)
				.options(fast(mode))
				.checkpointer(checkpointer)
				.build();
			consumer.start((record) -> {
				if (record.sequenceNumber().equals(poisonSequence) && !heal.get()) {
					attempts.incrementAndGet();
					throw new IllegalStateException("poison");
				}
				handled.add(record.dataAsString());
			});
			long otherShardRecords = results.stream().filter((r) -> !r.shardId().equals(poisonShard)).count();
			await().atMost(Duration.ofMinutes(1))
				.until(() -> attempts.get() >= 3 && handled.stream()
					.filter((d) -> !results.get(Integer.parseInt(d.substring(2))).shardId().equals(poisonShard))
					.count() == otherShardRecords);
			checkpointer.getCheckpoint(poisonShard)
				.join()
				.ifPresent(
						(checkpoint) -> assertThat(checkpoint.compareTo(Checkpoint.at(poisonSequence))).isNegative());
			heal.set(true);
			await().atMost(Duration.ofMinutes(1)).until(() -> handled.size() == 200);
			consumer.close();
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

	@ParameterizedTest
	@EnumSource(ConsumerMode.class)
	void splitAndMergeWhileProducingKeepEveryRecordAndParentsBeforeChildren(ConsumerMode mode, LocalKinesis kinesis)
			throws Exception {
		String stream = kinesis.createStream("reader-reshard", 2);
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		MemoryCheckpointer checkpointer = new MemoryCheckpointer(settings(stream));
		Map<String, List<Integer>> perKey = new ConcurrentHashMap<>();
		Set<String> seen = ConcurrentHashMap.newKeySet();
		KinesisConsumer consumer = KinesisConsumer.builder(kinesis.client())
			.streamName(stream)
			.options(fast(mode))
			.checkpointer(checkpointer)
			.metricsCollector(metrics)
			.build();
		consumer.start((record) -> {
			String[] parts = record.dataAsString().split(":");
			if (seen.add(record.dataAsString())) {
				perKey.computeIfAbsent(parts[0], (k) -> Collections.synchronizedList(new ArrayList<>()))
					.add(Integer.parseInt(parts[1]));
			}
		});
		AtomicInteger produced = new AtomicInteger();
		try (KinesisProducer producer = KinesisProducer.builder(kinesis.client())
			.streamName(stream)
			.options(ProducerOptions.builder().bufferTime(Duration.ofMillis(50)).orderedPerShard(true).build())
			.build()) {
			Runnable produce = () -> {
				for (int i = 0; i < 300; i++) {
					int n = produced.getAndIncrement();
					producer.put("key-" + (n % 20) + ":" + n, "key-" + (n % 20));
				}
				producer.flush().join();
			};
			produce.run();
			List<Shard> shards = kinesis.client().listShards((r) -> r.streamName(stream)).join().shards();
			Shard first = shards.get(0);
			java.math.BigInteger start = new java.math.BigInteger(first.hashKeyRange().startingHashKey());
			java.math.BigInteger end = new java.math.BigInteger(first.hashKeyRange().endingHashKey());
			kinesis.client()
				.splitShard((r) -> r.streamName(stream)
					.shardToSplit(first.shardId())
					.newStartingHashKey(start.add(end).shiftRight(1).toString()))
				.join();
			kinesis.awaitStatus(stream, software.amazon.awssdk.services.kinesis.model.StreamStatus.ACTIVE);
			produce.run();
			List<Shard> open = kinesis.client()
				.listShards((r) -> r.streamName(stream))
				.join()
				.shards()
				.stream()
				.filter((s) -> s.sequenceNumberRange().endingSequenceNumber() == null)
				.sorted(java.util.Comparator
					.comparing((Shard s) -> new java.math.BigInteger(s.hashKeyRange().startingHashKey())))
				.toList();
			kinesis.client()
				.mergeShards((r) -> r.streamName(stream)
					.shardToMerge(open.get(0).shardId())
					.adjacentShardToMerge(open.get(1).shardId()))
				.join();
			kinesis.awaitStatus(stream, software.amazon.awssdk.services.kinesis.model.StreamStatus.ACTIVE);
			produce.run();
		}
		try {
			await().atMost(Duration.ofMinutes(2)).until(() -> seen.size() >= produced.get());
			await().atMost(Duration.ofSeconds(30))
				.until(() -> metrics.counters()
					.getOrDefault("stream_resharding_events_total{stream_name=" + stream + "}", 0.0) >= 2);
		}
		finally {
			consumer.close();
			kinesis.deleteStream(stream);
		}
		assertThat(seen).hasSize(900);
		perKey.values().forEach((values) -> assertThat(values).isSorted());
		Map<String, Lease> leases = new HashMap<>();
		checkpointer.listLeases().join().forEach((lease) -> leases.put(lease.shardId(), lease));
		assertThat(leases.values().stream().filter(Lease::isFinished).count()).isGreaterThanOrEqualTo(3);
		assertThat(metrics.counters()).containsEntry("stream_resharding_events_total{stream_name=" + stream + "}", 2.0);
	}

	@ParameterizedTest
	@EnumSource(ConsumerMode.class)
	void pollHandsOutEveryRecordAndCheckpointsWhenPolledAgain(ConsumerMode mode, LocalKinesis kinesis)
			throws Exception {
		String stream = kinesis.createStream("reader-poll", 1);
		try (KinesisProducer producer = KinesisProducer.builder(kinesis.client()).streamName(stream).build()) {
			java.util.concurrent.CompletableFuture<PutResult> lastPut = null;
			for (int i = 0; i < 100; i++) {
				lastPut = producer.put("p-" + i, "same-key");
			}
			producer.flush().join();
			PutResult last = lastPut.join();
			MemoryCheckpointer checkpointer = new MemoryCheckpointer(settings(stream));
			try (KinesisConsumer consumer = KinesisConsumer.builder(kinesis.client())
				.streamName(stream)
				.options(fast(mode))
				.checkpointer(checkpointer)
				.build()) {
				List<String> received = new ArrayList<>();
				for (KinesisRecord<byte[]> record : consumer) {
					received.add(record.dataAsString());
					if (received.size() == 100) {
						break;
					}
				}
				assertThat(received).hasSize(100).startsWith("p-0", "p-1").endsWith("p-99");
				assertThat(consumer.poll(Duration.ofMillis(300))).isEmpty();
				String lastSequence = last.sequenceNumber();
				String lastShard = last.shardId();
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(checkpointer.getCheckpoint(lastShard).join())
						.contains(Checkpoint.at(lastSequence)));
			}
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

}
