package dev.kinesisboot.producer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kinesisboot.aggregation.RecordDeaggregator;
import dev.kinesisboot.aggregation.UserRecord;
import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The producer with {@link ProducerOptions#aggregationEnabled()}: records of one shard
 * packed into KPL aggregated records, each record completing with its position.
 */
class KinesisProducerAggregationTests {

	private static final String STREAM = "orders";

	private final List<KinesisProducer> producers = new ArrayList<>();

	private final InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();

	private final FakeKinesisClient kinesis = new FakeKinesisClient(2);

	@AfterEach
	void closeAll() {
		this.producers.forEach(KinesisProducer::close);
		this.kinesis.close();
	}

	private KinesisProducer producer(ProducerOptions.Builder options) {
		KinesisProducer producer = KinesisProducer.builder(this.kinesis)
			.streamName(STREAM)
			.metricsCollector(this.metrics)
			.options(options.build())
			.build();
		this.producers.add(producer);
		return producer;
	}

	/** One call at a time, so that the fake's sequence numbers follow its stored list. */
	private static ProducerOptions.Builder aggregating() {
		return ProducerOptions.builder()
			.aggregationEnabled(true)
			.rateLimitEnabled(false)
			.maxInFlightBatches(1)
			.bufferTime(Duration.ofMillis(50))
			.retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5));
	}

	@Test
	void recordsOfEachShardArePackedTogetherAndCompleteWithTheirSubSequenceNumbers() {
		KinesisProducer producer = producer(aggregating());
		List<CompletableFuture<PutResult>> futures = new ArrayList<>();
		for (int i = 0; i < 1_000; i++) {
			futures.add(producer.put(payload(i, 100), "key-" + (i % 20)));
		}
		producer.flush().join();

		assertThat(this.kinesis.stored).hasSizeLessThan(10);
		Map<String, Integer> usedPositions = new HashMap<>();
		for (int i = 0; i < futures.size(); i++) {
			PutResult result = futures.get(i).join();
			PutRecordsRequestEntry entry = this.kinesis.stored.get(Integer.parseInt(result.sequenceNumber()) - 1);
			List<UserRecord> held = unpack(entry);
			UserRecord record = held.get((int) result.subSequenceNumber());
			assertThat(record.data()).isEqualTo(payload(i, 100));
			assertThat(record.partitionKey()).isEqualTo("key-" + (i % 20));
			// the packed record went to the shard of every record it holds
			assertThat(this.kinesis.shardFor(record.partitionKey())).isEqualTo(result.shardId());
			assertThat(usedPositions.put(result.sequenceNumber() + ":" + result.subSequenceNumber(), i)).isNull();
		}
		long dataBytes = this.kinesis.stored.stream()
			.mapToLong((entry) -> entry.data().asByteArrayUnsafe().length)
			.sum();
		assertThat(this.metrics.counters())
			.containsEntry("producer_records_sent_total{stream_name=orders}", (double) this.kinesis.stored.size())
			.containsEntry("producer_bytes_sent_total{stream_name=orders}", (double) dataBytes);
	}

	@Test
	void aggregatedRecordsCarryTheFirstRecordsKeyAndItsHashAsExplicitHashKey() {
		KinesisProducer producer = producer(aggregating());
		for (int i = 0; i < 50; i++) {
			producer.put(payload(i, 10), "key-" + i);
		}
		producer.flush().join();
		assertThat(this.kinesis.stored).isNotEmpty().allSatisfy((entry) -> {
			List<UserRecord> held = unpack(entry);
			assertThat(entry.partitionKey()).isEqualTo(held.get(0).partitionKey());
			if (held.size() > 1) {
				assertThat(entry.explicitHashKey()).isEqualTo(ShardMap.hashKey(held.get(0).partitionKey()).toString());
			}
		});
	}

	@Test
	void loneRecordIsSentAsItIs() {
		KinesisProducer producer = producer(aggregating());
		PutResult result = producer.put("alone", "k").join();
		assertThat(this.kinesis.stored).singleElement().satisfies((entry) -> {
			assertThat(entry.data().asUtf8String()).isEqualTo("alone");
			assertThat(entry.partitionKey()).isEqualTo("k");
			assertThat(entry.explicitHashKey()).isNull();
		});
		assertThat(result.subSequenceNumber()).isZero();
	}

	@Test
	void aggregatedRecordsStayWithinTheMaximumSizeAndALargeRecordGoesAlone() {
		KinesisProducer producer = producer(aggregating().aggregationMaxSize(4096));
		List<CompletableFuture<PutResult>> futures = new ArrayList<>();
		for (int i = 0; i < 300; i++) {
			futures.add(producer.put(payload(i, 100), "same-key"));
		}
		futures.add(producer.put(new byte[ProducerOptions.MAX_RECORD_BYTES - 8], "same-key"));
		producer.flush().join();
		assertThat(futures).allSatisfy((future) -> assertThat(future).isCompleted().isNotCompletedExceptionally());
		assertThat(this.kinesis.stored).allSatisfy((entry) -> {
			int size = entry.data().asByteArrayUnsafe().length + entry.partitionKey().length();
			if (RecordDeaggregator.hasMagic(entry.data().asByteArrayUnsafe())) {
				assertThat(size).isLessThanOrEqualTo(4096);
			}
		});
		assertThat(this.kinesis.stored).filteredOn((entry) -> entry.data().asByteArrayUnsafe().length > 4096)
			.singleElement()
			.satisfies((entry) -> assertThat(RecordDeaggregator.hasMagic(entry.data().asByteArrayUnsafe())).isFalse());
		assertThat(this.kinesis.stored.stream().mapToInt((entry) -> unpack(entry).size()).sum()).isEqualTo(301);
	}

	@Test
	void throttledPackedRecordIsRetriedWithAllItsRecordsAndCountedOnce() {
		AtomicInteger calls = new AtomicInteger();
		this.kinesis.script = (request) -> (calls.incrementAndGet() == 1)
				? Collections.nCopies(request.records().size(), "ProvisionedThroughputExceededException") : null;
		KinesisProducer producer = producer(aggregating().bufferTime(Duration.ofSeconds(5)));
		List<CompletableFuture<PutResult>> futures = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			futures.add(producer.put(payload(i, 50), "key-" + (i % 7)));
		}
		producer.flush().join();

		assertThat(futures).allSatisfy((future) -> assertThat(future).isCompleted().isNotCompletedExceptionally());
		int firstCall = this.kinesis.calls.get(0).records().size();
		assertThat(firstCall).isLessThan(200);
		List<String> delivered = new ArrayList<>();
		this.kinesis.stored.forEach((entry) -> unpack(entry)
			.forEach((record) -> delivered.add(new String(record.data(), StandardCharsets.UTF_8))));
		assertThat(delivered).hasSize(200).doesNotHaveDuplicates();
		assertThat(this.metrics.counters()).containsEntry("producer_throttles_total{stream_name=orders}",
				(double) firstCall);
	}

	@Test
	void packedRecordRefusedForGoodFailsEveryRecordInIt() {
		AtomicInteger calls = new AtomicInteger();
		this.kinesis.script = (request) -> (calls.incrementAndGet() == 1) ? List.of("KMSAccessDeniedException") : null;
		KinesisProducer producer = producer(aggregating().bufferTime(Duration.ofSeconds(5)));
		List<CompletableFuture<PutResult>> futures = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			futures.add(producer.put(payload(i, 50), "key-" + (i % 5)));
		}
		producer.flush().join();
		PutRecordsRequestEntry refused = this.kinesis.calls.get(0).records().get(0);
		int refusedCount = unpack(refused).size();
		assertThat(refusedCount).isGreaterThan(1);
		assertThat(futures.stream().filter(CompletableFuture::isCompletedExceptionally).count())
			.isEqualTo(refusedCount);
		assertThat(this.metrics.counters())
			.containsEntry("producer_errors_total{error_type=KMSAccessDeniedException,stream_name=orders}", 1.0);
	}

	@Test
	void rateLimitCountsAPackedRecordAsOneRecord() {
		KinesisProducer producer = producer(aggregating().rateLimitEnabled(true).recordsPerSecondPerShard(1));
		List<CompletableFuture<PutResult>> futures = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			futures.add(producer.put(payload(i, 100), "one-key"));
		}
		// one record per second per shard, and all 100 go in the first one
		await().atMost(Duration.ofMillis(900))
			.untilAsserted(() -> assertThat(futures).allSatisfy((future) -> assertThat(future).isCompleted()));
		assertThat(this.kinesis.stored).hasSize(1);
	}

	@Test
	void aggregationMaxSizeOutsideItsRangeIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> ProducerOptions.builder().aggregationMaxSize(100))
			.withMessageContaining("aggregationMaxSize must be between 1024 and 1048576");
		assertThat(ProducerOptions.defaults().aggregationEnabled()).isFalse();
		assertThat(ProducerOptions.defaults().aggregationMaxSize()).isEqualTo(1_047_552);
		assertThat(ProducerOptions.builder().aggregationEnabled(true).build().toBuilder().build().aggregationEnabled())
			.isTrue();
	}

	private static List<UserRecord> unpack(PutRecordsRequestEntry entry) {
		byte[] data = entry.data().asByteArrayUnsafe();
		return RecordDeaggregator.decode(data).orElseGet(() -> List.of(UserRecord.of(entry.partitionKey(), data)));
	}

	private static byte[] payload(int index, int size) {
		byte[] data = new byte[size];
		byte[] digits = ("#" + index).getBytes(StandardCharsets.UTF_8);
		for (int i = 0; i < size; i++) {
			data[i] = (i < digits.length) ? digits[i] : (byte) 'x';
		}
		return data;
	}

}
