package dev.kinesisboot.producer;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Backoff;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ProducerBuildingBlocksTests {

	private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	@Test
	void rateLimiterLetsOneSecondOfRecordsThroughThenRefills() {
		ShardRateLimiter limiter = new ShardRateLimiter(1000, 1024 * 1024, 0);
		for (int i = 0; i < 1000; i++) {
			assertThat(limiter.tryAcquire(10, 0)).isZero();
		}
		assertThat(limiter.tryAcquire(10, 0)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
		assertThat(limiter.tryAcquire(10, TimeUnit.MILLISECONDS.toNanos(1))).isZero();
		assertThat(limiter.tryAcquire(10, SECOND)).isZero();
	}

	@Test
	void rateLimiterLimitsBytesPerSecond() {
		ShardRateLimiter limiter = new ShardRateLimiter(1000, 1024 * 1024, 0);
		assertThat(limiter.tryAcquire(1024 * 1024, 0)).isZero();
		assertThat(limiter.tryAcquire(512 * 1024, 0)).isEqualTo(SECOND / 2);
		assertThat(limiter.nanosUntilAvailable(512 * 1024, SECOND / 2)).isZero();
	}

	@Test
	void rateLimiterLetsARecordLargerThanASecondsBytesGoOnceFullAndWaitsItOff() {
		ShardRateLimiter limiter = new ShardRateLimiter(1000, 1024 * 1024, 0);
		assertThat(limiter.tryAcquire(1024, 0)).isZero();
		// not full: waits until it is
		long wait = limiter.tryAcquire(5 * 1024 * 1024, 0);
		assertThat(wait).isBetween(SECOND / 1024, SECOND / 1024 + 1);
		assertThat(limiter.tryAcquire(5 * 1024 * 1024, wait)).isZero();
		// four seconds of debt, then one second to fill again for the next large one
		assertThat(limiter.nanosUntilAvailable(1024 * 1024, wait)).isBetween(5 * SECOND - 2, 5 * SECOND + 2);
	}

	@Test
	void streamRecordLimitFollowsMaxRecordSizeInKiBWithinTheKinesisRange() {
		assertThat(StreamRecordLimit.of(null)).isEqualTo(1024 * 1024);
		assertThat(StreamRecordLimit.of(1024)).isEqualTo(1024 * 1024);
		assertThat(StreamRecordLimit.of(10240)).isEqualTo(10 * 1024 * 1024);
		assertThat(StreamRecordLimit.of(4096)).isEqualTo(4 * 1024 * 1024);
	}

	@Test
	void shardMapRoutesKeysLikeKinesisAndSpreadsThemOverEveryShard() {
		FakeKinesisClient four = new FakeKinesisClient(4);
		ShardMap map = four.shardMap();
		Map<String, Integer> perShard = new HashMap<>();
		for (int i = 0; i < 4000; i++) {
			String key = "key-" + i;
			String shard = map.shardFor(ShardMap.hashKey(key));
			assertThat(shard).isEqualTo(four.shardFor(key));
			perShard.merge(shard, 1, Integer::sum);
		}
		assertThat(perShard).hasSize(4).allSatisfy((shard, count) -> assertThat(count).isBetween(850, 1150));
		assertThat(map.shardFor(BigInteger.ZERO)).isEqualTo("shardId-000000000000");
		assertThat(map.shardFor(FakeKinesisClient.MAX_HASH)).isEqualTo("shardId-000000000003");
		four.close();
	}

	@Test
	void hashKeyIsTheUnsignedMd5OfTheKey() {
		// md5("a") = 0cc175b9c0f1b6a831c399e269772661
		assertThat(ShardMap.hashKey("a")).isEqualTo(new BigInteger("0cc175b9c0f1b6a831c399e269772661", 16));
	}

	@Test
	void backoffDoublesUpToTheMaximumWithJitterBetweenHalfAndAll() {
		Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
		assertThat(backoff.ceilingNanos(1)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
		assertThat(backoff.ceilingNanos(2)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
		assertThat(backoff.ceilingNanos(4)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(800));
		assertThat(backoff.ceilingNanos(5)).isEqualTo(SECOND);
		assertThat(backoff.ceilingNanos(500)).isEqualTo(SECOND);
		for (int i = 0; i < 1000; i++) {
			assertThat(backoff.delayNanos(3)).isBetween(TimeUnit.MILLISECONDS.toNanos(200),
					TimeUnit.MILLISECONDS.toNanos(400));
		}
	}

	@Test
	void errorsAreClassifiedForTheMetricsAndRetries() {
		SdkClientException reset = SdkClientException.create("reset", new IOException("Connection reset"));
		assertThat(AwsErrors.errorType(new CompletionException(reset))).isEqualTo("connection");
		assertThat(AwsErrors.isRetryable(reset)).isTrue();

		ApiCallTimeoutException timeout = ApiCallTimeoutException.create(1000);
		assertThat(AwsErrors.errorType(timeout)).isEqualTo("timeout");
		assertThat(AwsErrors.isRetryable(timeout)).isTrue();

		KinesisException serverError = (KinesisException) KinesisException.builder()
			.statusCode(503)
			.awsErrorDetails(AwsErrorDetails.builder().errorCode("ServiceUnavailable").build())
			.build();
		assertThat(AwsErrors.errorType(serverError)).isEqualTo("ServiceUnavailable");
		assertThat(AwsErrors.isRetryable(serverError)).isTrue();

		ResourceNotFoundException notFound = (ResourceNotFoundException) ResourceNotFoundException.builder()
			.statusCode(400)
			.awsErrorDetails(AwsErrorDetails.builder().errorCode("ResourceNotFoundException").build())
			.build();
		assertThat(AwsErrors.errorType(notFound)).isEqualTo("ResourceNotFoundException");
		assertThat(AwsErrors.isRetryable(notFound)).isFalse();

		assertThat(AwsErrors.errorType(new IllegalStateException("bug"))).isEqualTo("unknown");
		assertThat(AwsErrors.isRetryable(new IllegalStateException("bug"))).isFalse();
		assertThat(AwsErrors.isRetryableCode("ProvisionedThroughputExceededException")).isTrue();
		assertThat(AwsErrors.isRetryableCode("InternalFailure")).isTrue();
		assertThat(AwsErrors.isRetryableCode("AccessDeniedException")).isFalse();
	}

	@Test
	void optionsRejectValuesBeyondTheKinesisLimits() {
		assertThatIllegalArgumentException().isThrownBy(() -> ProducerOptions.builder().maxBatchRecords(501))
			.withMessageContaining("between 1 and 500");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ProducerOptions.builder().maxBatchBytes(11L * 1024 * 1024))
			.withMessageContaining("PutRecords limit");
		assertThatIllegalArgumentException().isThrownBy(() -> ProducerOptions.builder().bufferTime(Duration.ZERO))
			.withMessageContaining("bufferTime must be positive");
	}

	@Test
	void toBuilderKeepsEverySetting() {
		ProducerOptions options = ProducerOptions.builder()
			.bufferTime(Duration.ofMillis(50))
			.maxQueueSize(7)
			.orderedPerShard(true)
			.createStream(true, 3)
			.callbackExecutor(Runnable::run)
			.build();
		ProducerOptions copy = options.toBuilder().build();
		assertThat(copy).usingRecursiveComparison().isEqualTo(options);
	}

	@Test
	void outstandingRecordsWaitOnlyForTheRecordsAddedBeforeAndCountEachOnce() {
		OutstandingRecords outstanding = new OutstandingRecords();
		assertThat(outstanding.whenSettled()).isCompleted();
		PendingRecord first = record("a");
		PendingRecord second = record("b");
		outstanding.added(first);
		outstanding.added(second);
		CompletableFuture<Void> both = outstanding.whenSettled();
		PendingRecord later = record("c");
		outstanding.added(later);
		CompletableFuture<Void> all = outstanding.whenSettled();

		RecordCompletion firstDone = RecordCompletion.stored(first, new PutResult("shardId-0", "1"));
		firstDone.run();
		outstanding.settled(List.of(firstDone, firstDone));
		outstanding.settled(first);
		assertThat(both).isNotDone();
		outstanding.settled(List.of(RecordCompletion.stored(later, new PutResult("shardId-0", "3"))));
		assertThat(both).isNotDone();
		assertThat(all).isNotDone();
		outstanding.settled(List.of(RecordCompletion.failed(second, new IllegalStateException("refused"))));
		assertThat(both).isCompleted();
		assertThat(all).isCompleted();
		assertThat(outstanding.whenSettled()).isCompleted();
	}

	@Test
	void shardMapGivesItsOwnIdForAShardItKnows() {
		ShardMap map = FakeKinesisClient.shardMap(2);
		String parsed = new String("shardId-000000000001");
		assertThat(map.knownId(parsed)).isEqualTo(parsed).isNotSameAs(parsed);
		assertThat(map.knownId("shardId-000000000009")).isNull();
		assertThat(map.knownId(null)).isNull();
	}

	@Test
	void bufferKeepsRecordsInPutOrderAcrossShardsUnlessWorkIsDonePerShard() {
		ShardMap map = FakeKinesisClient.shardMap(4);
		RecordBuffer byShard = new RecordBuffer(100, true);
		RecordBuffer inPutOrder = new RecordBuffer(100, false);
		byShard.rehome(map);
		inPutOrder.rehome(map);
		List<PendingRecord> records = addRecords(40, byShard, inPutOrder);

		assertThat(byShard.queues()).hasSize(4);
		assertThat(inPutOrder.queues()).singleElement()
			.satisfies((queue) -> assertThat(queue.fresh).containsExactlyElementsOf(records));
		inPutOrder.rehome(ShardMap.empty());
		assertThat(inPutOrder.queues().iterator().next().fresh).containsExactlyElementsOf(records);

		ProducerOptions unlimited = ProducerOptions.builder().rateLimitEnabled(false).build();
		assertThat(RecordBuffer.groupsByShard(unlimited)).isFalse();
		assertThat(RecordBuffer.groupsByShard(ProducerOptions.defaults())).isTrue();
		assertThat(RecordBuffer.groupsByShard(unlimited.toBuilder().orderedPerShard(true).build())).isTrue();
		assertThat(RecordBuffer.groupsByShard(unlimited.toBuilder().aggregationEnabled(true).build())).isTrue();
	}

	@Test
	void mergedShardsKeepTheirRecordsNeverSentInPutOrder() {
		ShardMap parents = FakeKinesisClient.shardMap(2);
		ShardMap child = FakeKinesisClient.shardMap(1);
		RecordBuffer buffer = new RecordBuffer(100, true);
		buffer.rehome(parents);
		List<PendingRecord> records = addRecords(20, buffer);
		assertThat(buffer.queues()).hasSize(2);

		buffer.rehome(child);

		// the first is the oldest, and says when the queue is due
		assertThat(buffer.queues()).singleElement()
			.satisfies((queue) -> assertThat(queue.fresh).containsExactlyElementsOf(records));
	}

	@Test
	void bufferThatRoutesByShardRefusesARecordWithoutItsKeyHash() {
		PendingRecord unhashed = new PendingRecord(new byte[1], "k", "k".getBytes(), false, 2, 0, SECOND);
		new RecordBuffer(10, false).add(unhashed);

		assertThatIllegalStateException().isThrownBy(() -> new RecordBuffer(10, true).add(unhashed))
			.withMessageContaining("groupsByShard");
	}

	/**
	 * Puts records of the keys key-0, key-1, ... in order, the same ones into each
	 * buffer.
	 */
	private static List<PendingRecord> addRecords(int count, RecordBuffer... buffers) {
		List<PendingRecord> records = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			PendingRecord record = record("key-" + i);
			records.add(record);
			for (RecordBuffer buffer : buffers) {
				buffer.add(record);
			}
		}
		return records;
	}

	private static PendingRecord record(String key) {
		return new PendingRecord(new byte[1], key, 2, 0, SECOND);
	}

}
