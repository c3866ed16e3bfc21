package dev.kinesisboot.producer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

class KinesisProducerTests {

	private static final String STREAM = "orders";

	private final List<KinesisProducer> producers = new ArrayList<>();

	private final InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();

	private FakeKinesisClient kinesis = new FakeKinesisClient(1);

	@AfterEach
	void closeAll() {
		this.producers.forEach(KinesisProducer::close);
		this.kinesis.close();
	}

	/**
	 * Makes every PutRecords call wait until the returned latch is counted down.
	 * @return the latch that lets the calls answer
	 */
	private CountDownLatch holdCalls() {
		CountDownLatch release = new CountDownLatch(1);
		this.kinesis.script = (request) -> {
			try {
				release.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return null;
		};
		return release;
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

	private static ProducerOptions.Builder fast() {
		return ProducerOptions.builder()
			.bufferTime(Duration.ofMillis(20))
			.retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5));
	}

	@Test
	void batchesHoldAtMost500Records() {
		// a buffer time longer than the test: a batch goes when full or at the flush, not
		// when a slow machine's puts leave a gap (the test failed so under load)
		KinesisProducer producer = producer(fast().rateLimitEnabled(false).bufferTime(Duration.ofMinutes(1)));
		List<CompletableFuture<PutResult>> futures = new ArrayList<>();
		for (int i = 0; i < 1234; i++) {
			futures.add(producer.put("r" + i));
		}
		producer.flush().join();
		assertThat(futures).allSatisfy((future) -> assertThat(future).isCompleted());
		assertThat(this.kinesis.batchSizes()).allSatisfy((size) -> assertThat(size).isLessThanOrEqualTo(500));
		assertThat(this.kinesis.batchSizes().stream().mapToInt(Integer::intValue).sum()).isEqualTo(1234);
		assertThat(this.kinesis.batchSizes()).contains(500);
	}

	@Test
	void tenRecordsOfExactlyOneMiBShareABatchAndAnEleventhGoesToTheNext() {
		KinesisProducer producer = producer(fast().rateLimitEnabled(false).bufferTime(Duration.ofSeconds(1)));
		List<CompletableFuture<PutResult>> futures = new ArrayList<>();
		for (int i = 0; i < 11; i++) {
			String key = "k" + i;
			futures.add(producer.put(new byte[ProducerOptions.MAX_RECORD_BYTES - key.length()], key));
		}
		producer.flush().join();
		assertThat(futures).allSatisfy((future) -> assertThat(future).isCompletedWithValueMatching((r) -> r != null));
		assertThat(this.kinesis.batchSizes()).containsExactly(10, 1);
		assertThat(this.kinesis.calls).allSatisfy((call) -> assertThat(call.records()
			.stream()
			.mapToLong((e) -> e.data().asByteArray().length + e.partitionKey().length())
			.sum()).isLessThanOrEqualTo(ProducerOptions.MAX_BATCH_BYTES));
	}

	@Test
	void recordOneByteOverTheLimitFailsAloneAndTheOthersAreSent() {
		KinesisProducer producer = producer(fast().rateLimitEnabled(false));
		CompletableFuture<PutResult> before = producer.put("before", "a");
		CompletableFuture<PutResult> tooLarge = producer.put(new byte[ProducerOptions.MAX_RECORD_BYTES], "k");
		CompletableFuture<PutResult> exact = producer.put(new byte[ProducerOptions.MAX_RECORD_BYTES - 1], "k");
		CompletableFuture<PutResult> after = producer.put("after", "b");
		producer.flush().join();

		assertThat(tooLarge).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalArgumentException.class)
			.withMessageContaining("1048577 bytes")
			.withMessageContaining("1048576");
		assertThat(List.of(before, exact, after))
			.allSatisfy((future) -> assertThat(future).isCompleted().isNotCompletedExceptionally());
		assertThat(this.kinesis.stored).hasSize(3);
	}

	@Test
	void partitionKeyOf256CharactersIsAcceptedAndOf257Rejected() {
		KinesisProducer producer = producer(fast().rateLimitEnabled(false));
		CompletableFuture<PutResult> ok = producer.put("x", "k".repeat(256));
		CompletableFuture<PutResult> tooLong = producer.put("x", "k".repeat(257));
		CompletableFuture<PutResult> empty = producer.put("x", "");
		producer.flush().join();
		assertThat(ok).isCompleted().isNotCompletedExceptionally();
		assertThat(tooLong).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.withMessageContaining("257 characters")
			.withMessageContaining("256");
		assertThat(empty).failsWithin(Duration.ZERO).withThrowableThat().withMessageContaining("must not be empty");
	}

	@Test
	void partitionKeyLimitCountsUnicodeCharactersNotUtf16Units() {
		KinesisProducer producer = producer(fast().rateLimitEnabled(false));
		String emoji = "\uD83D\uDE00"; // one character, two UTF-16 units
		CompletableFuture<PutResult> ok = producer.put("x", emoji.repeat(256));
		CompletableFuture<PutResult> tooLong = producer.put("x", emoji.repeat(257));
		producer.flush().join();
		assertThat(ok).succeedsWithin(Duration.ZERO);
		assertThat(tooLong).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.withMessageContaining("257 characters")
			.withMessageContaining("256");
	}

	@Test
	void recordRefusedBeforeSendingIsCountedAsAnErrorNamingWhy() {
		KinesisProducer producer = producer(fast().rateLimitEnabled(false));
		CompletableFuture<PutResult> tooLarge = producer.put(new byte[ProducerOptions.MAX_RECORD_BYTES], "k");
		CompletableFuture<PutResult> keyTooLong = producer.put("x", "k".repeat(257));
		CompletableFuture<PutResult> emptyKey = producer.put("x", "");
		CompletableFuture<PutResult> ok = producer.put("x", "k");
		producer.flush().join();

		assertThat(tooLarge).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(IllegalArgumentException.class)
			.withMessageContaining("exceeds the stream's limit of 1048576 bytes");
		assertThat(keyTooLong).failsWithin(Duration.ZERO).withThrowableThat().withMessageContaining("257 characters");
		assertThat(emptyKey).failsWithin(Duration.ZERO).withThrowableThat().withMessageContaining("must not be empty");
		assertThat(ok).succeedsWithin(Duration.ZERO);
		assertThat(this.metrics.counters())
			.containsEntry("producer_errors_total{error_type=RecordTooLarge,stream_name=orders}", 1.0)
			.containsEntry("producer_errors_total{error_type=InvalidPartitionKey,stream_name=orders}", 2.0);
	}

	@Test
	void recordRefusedForAFullQueueIsCountedAsQueueFull() {
		CountDownLatch release = holdCalls();
		KinesisProducer producer = producer(
				fast().rateLimitEnabled(false).maxInFlightBatches(1).maxQueueSize(1).queueFullTimeout(Duration.ZERO));
		producer.put("in flight");
		await().until(() -> this.kinesis.calls.size() == 1);
		producer.put("queued");
		CompletableFuture<PutResult> refused = producer.put("refused");
		release.countDown();

		assertThat(refused).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(ProducerQueueFullException.class);
		assertThat(this.metrics.counters())
			.containsEntry("producer_errors_total{error_type=QueueFull,stream_name=orders}", 1.0);
	}

	@Test
	void fullQueueMakesPutWaitThenFailWithAClearError() throws Exception {
		CountDownLatch release = holdCalls();
		KinesisProducer producer = producer(fast().rateLimitEnabled(false)
			.maxInFlightBatches(1)
			.maxQueueSize(10)
			.queueFullTimeout(Duration.ofMillis(100)));
		CompletableFuture<PutResult> inFlight = producer.put("first");
		await().until(() -> this.kinesis.calls.size() == 1);
		List<CompletableFuture<PutResult>> queued = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			queued.add(producer.put("queued-" + i));
		}
		CompletableFuture<PutResult> rejected = producer.put("one too many");

		assertThat(rejected).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(ProducerQueueFullException.class)
			.withMessageContaining("stayed full (10 records)")
			.withMessageContaining("max-queue-size");
		release.countDown();
		producer.flush().get(10, TimeUnit.SECONDS);
		assertThat(inFlight).isCompleted().isNotCompletedExceptionally();
		assertThat(queued).allSatisfy((future) -> assertThat(future).isCompleted().isNotCompletedExceptionally());
		assertThat(this.kinesis.stored).hasSize(11);
	}

	@Test
	void metricsFollowAThrottledAndAPartiallyFailedBatch() {
		AtomicInteger call = new AtomicInteger();
		this.kinesis.script = (request) -> switch (call.incrementAndGet()) {
			case 1 -> Arrays.asList(null, "ProvisionedThroughputExceededException", "InternalFailure", null);
			default -> null;
		};
		// the two refused records come back due at once: with fast()'s back-off each
		// draws its own delay (0.5 to 1 ms), and a pass on time took them one by one
		KinesisProducer producer = producer(fast().rateLimitEnabled(false)
			.bufferTime(Duration.ofSeconds(5))
			.retryBackoff(Duration.ofNanos(1), Duration.ofNanos(1)));
		List<CompletableFuture<PutResult>> futures = new ArrayList<>();
		for (String payload : List.of("aaaa", "bbbbb", "cccccc", "ddddddd")) {
			futures.add(producer.put(payload, payload));
		}
		producer.flush().join();

		assertThat(futures).allSatisfy((future) -> assertThat(future).isCompleted().isNotCompletedExceptionally());
		assertThat(this.kinesis.batchSizes()).containsExactly(4, 2);
		assertThat(this.metrics.counters()).containsExactly(
				entry("producer_bytes_sent_total{stream_name=orders}", 22.0),
				entry("producer_errors_total{error_type=InternalFailure,stream_name=orders}", 1.0),
				entry("producer_records_sent_total{stream_name=orders}", 4.0),
				entry("producer_throttles_total{stream_name=orders}", 1.0));
		assertThat(this.metrics.histograms().get("producer_batch_size{stream_name=orders}")).containsExactly(4.0, 2.0);
		assertThat(this.metrics.histograms().get("producer_flush_duration_seconds{stream_name=orders}")).hasSize(2)
			.allSatisfy((seconds) -> assertThat(seconds).isNotNegative());
		assertThat(this.metrics.gauges()).containsEntry("producer_queue_size{stream_name=orders}", 0.0);
	}

	@Test
	void failedCallIsRetriedWholeAndCountedAsConnectionError() {
		AtomicInteger call = new AtomicInteger();
		this.kinesis.script = (request) -> (call.incrementAndGet() == 1)
				? SdkClientException.create("connection reset", new IOException("Connection reset")) : null;
		KinesisProducer producer = producer(fast().rateLimitEnabled(false));
		List<CompletableFuture<PutResult>> futures = List.of(producer.put("a"), producer.put("b"), producer.put("c"));
		producer.flush().join();

		assertThat(futures).allSatisfy((future) -> assertThat(future).isCompleted().isNotCompletedExceptionally());
		assertThat(this.kinesis.stored).hasSize(3);
		assertThat(this.metrics.counters())
			.containsEntry("producer_errors_total{error_type=connection,stream_name=orders}", 1.0)
			.containsEntry("producer_records_sent_total{stream_name=orders}", 3.0);
	}

	@Test
	void unknownErrorCodeFailsThatRecordOnlyAndTheProducerKeepsWorking() {
		AtomicInteger call = new AtomicInteger();
		this.kinesis.script = (request) -> (call.incrementAndGet() == 1) ? Arrays.asList(null, "WeirdNewError", null)
				: null;
		KinesisProducer producer = producer(fast().rateLimitEnabled(false).bufferTime(Duration.ofSeconds(5)));
		CompletableFuture<PutResult> first = producer.put("a");
		CompletableFuture<PutResult> weird = producer.put("b");
		CompletableFuture<PutResult> third = producer.put("c");
		producer.flush().join();
		CompletableFuture<PutResult> later = producer.put("d");
		producer.flush().join();

		assertThat(weird).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingCause()
			.isInstanceOfSatisfying(KinesisPutException.class,
					(ex) -> assertThat(ex.errorCode()).isEqualTo("WeirdNewError"))
			.withMessageContaining("WeirdNewError");
		assertThat(List.of(first, third, later))
			.allSatisfy((future) -> assertThat(future).isCompleted().isNotCompletedExceptionally());
		assertThat(this.metrics.counters())
			.containsEntry("producer_errors_total{error_type=WeirdNewError,stream_name=orders}", 1.0);
	}

	@Test
	void recordThrottledOnEveryAttemptFailsAfterMaxAttempts() {
		this.kinesis.script = (request) -> List.of("ProvisionedThroughputExceededException");
		KinesisProducer producer = producer(fast().rateLimitEnabled(false).maxAttempts(3));
		CompletableFuture<PutResult> future = producer.put("a");
		producer.flush().join();

		assertThat(future).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingCause()
			.isInstanceOfSatisfying(KinesisPutException.class, (ex) -> assertThat(ex.attempts()).isEqualTo(3))
			.withMessageContaining("after 3 attempts")
			.withMessageContaining("ProvisionedThroughputExceededException");
		assertThat(this.metrics.counters()).containsEntry("producer_throttles_total{stream_name=orders}", 3.0);
	}

	@Test
	void closeSendsWhatIsQueuedThenRefusesNewRecords() {
		KinesisProducer producer = producer(fast().rateLimitEnabled(false).bufferTime(Duration.ofSeconds(30)));
		List<CompletableFuture<PutResult>> futures = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			futures.add(producer.put("r" + i));
		}
		producer.close();
		assertThat(futures).allSatisfy((future) -> assertThat(future).isCompleted().isNotCompletedExceptionally());
		assertThatIllegalStateException().isThrownBy(() -> producer.put("late"))
			.withMessageContaining("'orders' is closed");
	}

	@Test
	void closeTimeoutFailsWhatCouldNotBeSent() {
		CountDownLatch never = new CountDownLatch(1);
		this.kinesis.script = (request) -> {
			try {
				never.await(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return null;
		};
		KinesisProducer producer = producer(fast().rateLimitEnabled(false)
			.maxInFlightBatches(1)
			.maxBatchRecords(1)
			.closeTimeout(Duration.ofMillis(200)));
		CompletableFuture<PutResult> first = producer.put("a");
		CompletableFuture<PutResult> second = producer.put("b");
		producer.close();
		assertThat(second).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.withMessageContaining("closed before the record could be sent");
		never.countDown();
		assertThat(first).succeedsWithin(Duration.ofSeconds(10));
	}

	@Test
	void manyThreadsPutConcurrentlyAndEveryRecordIsStoredOnce() throws Exception {
		this.kinesis.close();
		this.kinesis = new FakeKinesisClient(4);
		KinesisProducer producer = producer(fast().rateLimitEnabled(false));
		ExecutorService pool = Executors.newFixedThreadPool(8);
		List<Future<List<CompletableFuture<PutResult>>>> results = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			int thread = t;
			results.add(pool.submit(() -> {
				List<CompletableFuture<PutResult>> futures = new ArrayList<>();
				for (int i = 0; i < 2_000; i++) {
					futures.add(producer.put("id-" + thread + "-" + i));
				}
				return futures;
			}));
		}
		List<CompletableFuture<PutResult>> all = new ArrayList<>();
		for (Future<List<CompletableFuture<PutResult>>> result : results) {
			all.addAll(result.get());
		}
		pool.shutdown();
		CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

		Set<String> ids = new HashSet<>();
		for (PutRecordsRequestEntry stored : this.kinesis.stored) {
			assertThat(ids.add(stored.data().asUtf8String())).as("duplicate " + stored.data().asUtf8String()).isTrue();
		}
		assertThat(ids).hasSize(16_000);
		assertThat(this.metrics.counters()).containsEntry("producer_records_sent_total{stream_name=orders}", 16_000.0);
	}

	@Test
	void orderedModeKeepsOneCallPerKeyInFlightWithOneRecordOfTheKeyEach() {
		this.kinesis.latencyMillis = 20;
		KinesisProducer producer = producer(fast().rateLimitEnabled(false).orderedPerShard(true).maxBatchRecords(10));
		List<CompletableFuture<PutResult>> futures = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			futures.add(producer.put(Integer.toString(i), "same-key"));
		}
		producer.flush().join();
		assertThat(this.kinesis.maxConcurrent.get()).isEqualTo(1);
		assertThat(this.kinesis.batchSizes()).containsOnly(1);
		assertThat(this.kinesis.stored.stream().map((e) -> Integer.parseInt(e.data().asUtf8String())).toList())
			.isSorted()
			.hasSize(100);
	}

	@Test
	void rateLimitIsPerShardSoFourShardsTakeFourTimesAsMuch() {
		ProducerOptions.Builder limited = fast().recordsPerSecondPerShard(100).maxQueueSize(1000);
		KinesisProducer oneShard = producer(limited);
		for (int i = 0; i < 400; i++) {
			oneShard.put("r" + i, "key-" + i);
		}
		// one shard: a second's worth (100) goes at once, the rest at 100 records/s
		await().during(Duration.ofMillis(500))
			.atMost(Duration.ofSeconds(2))
			.until(() -> this.kinesis.stored.size() <= 200);
		oneShard.close();

		this.kinesis.close();
		this.kinesis = new FakeKinesisClient(4);
		KinesisProducer fourShards = producer(limited);
		for (int i = 0; i < 400; i++) {
			fourShards.put("r" + i, "key-" + i);
		}
		// four shards: keys spread over all of them, about 100 each, all within the first
		// second
		await().atMost(Duration.ofSeconds(2)).until(() -> this.kinesis.stored.size() >= 370);
	}

	@Test
	void rateLimitedShardSendsBatchesNotARecordPerToken() {
		KinesisProducer producer = producer(
				fast().bufferTime(Duration.ofMillis(200)).recordsPerSecondPerShard(1000).maxQueueSize(5000));
		List<CompletableFuture<PutResult>> futures = new ArrayList<>();
		for (int i = 0; i < 2500; i++) {
			futures.add(producer.put("r" + i));
		}
		CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
		// a second's worth goes at once, then about 200 records (a buffer time's worth)
		// per call
		assertThat(this.kinesis.calls.size()).isLessThan(30);
	}

	@Test
	void objectsAreSentAsJsonAndStringsAsUtf8() {
		KinesisProducer producer = producer(fast().rateLimitEnabled(false));
		producer.put(Map.of("orderId", 42), "k").join();
		producer.put("héllo", "k").join();
		assertThat(this.kinesis.stored.stream().map((e) -> e.data().asUtf8String())).containsExactly("{\"orderId\":42}",
				"héllo");
	}

	@Test
	void missingStreamFailsWithTheFix() {
		FakeKinesisClient missing = new FakeKinesisClient(1) {
			@Override
			public CompletableFuture<software.amazon.awssdk.services.kinesis.model.ListShardsResponse> listShards(
					software.amazon.awssdk.services.kinesis.model.ListShardsRequest request) {
				return CompletableFuture
					.failedFuture(software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException.builder()
						.message("Stream orders not found")
						.build());
			}
		};
		assertThatIllegalStateException()
			.isThrownBy(() -> KinesisProducer.builder(missing).streamName("orders").build().start())
			.withMessageContaining("Stream 'orders' not found")
			.withMessageContaining("ProducerOptions.createStream(true)")
			.withMessageNotContaining("kinesis.producer");
		missing.close();
	}

	@Test
	void flushCompletesWhenSendThrows() {
		FailingOnceMetrics failing = new FailingOnceMetrics(this.metrics, MetricType.PRODUCER_BATCH_SIZE);
		KinesisProducer producer = producer(fast().rateLimitEnabled(false), failing);
		CompletableFuture<PutResult> first = producer.put("a");

		assertThat(producer.flush()).succeedsWithin(Duration.ofSeconds(5));
		assertThat(first).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(KinesisPutException.class)
			.withMessageContaining("metrics broke");
		assertThat(producer.put("b")).succeedsWithin(Duration.ofSeconds(5));
	}

	@Test
	void inFlightSlotIsFreedWhenBatchCompletionThrows() {
		FailingOnceMetrics failing = new FailingOnceMetrics(this.metrics, MetricType.PRODUCER_RECORDS_SENT);
		KinesisProducer producer = producer(fast().rateLimitEnabled(false).maxInFlightBatches(1), failing);
		CompletableFuture<PutResult> first = producer.put("a");

		assertThat(producer.flush()).succeedsWithin(Duration.ofSeconds(5));
		assertThat(first).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(KinesisPutException.class)
			.withMessageContaining("metrics broke")
			.withMessageContaining("may have been stored");
		// the only in-flight slot was given back: the next record is sent
		assertThat(producer.put("b")).succeedsWithin(Duration.ofSeconds(5));
	}

	@Test
	void interruptingTheProducersTimerThreadDoesNotStopSending() {
		KinesisProducer producer = KinesisProducer.builder(this.kinesis)
			.streamName("interrupted")
			.metricsCollector(this.metrics)
			.options(fast().rateLimitEnabled(false).build())
			.build();
		this.producers.add(producer);
		assertThat(producer.put("first")).succeedsWithin(Duration.ofSeconds(5));
		Thread timer = Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().startsWith("kinesis-producer-interrupted-"))
			.findFirst()
			.orElseThrow();

		timer.interrupt();

		assertThat(producer.put("second")).succeedsWithin(Duration.ofSeconds(5));
	}

	@Test
	void buildingDoesNoIoAndTheFirstPutStartsTheProducer() {
		FakeKinesisClient counting = new FakeKinesisClient(1);
		AtomicInteger listShards = counting.listShardsCalls;
		try (KinesisProducer producer = KinesisProducer.builder(counting)
			.streamName("lazy")
			.options(fast().rateLimitEnabled(false).build())
			.build()) {
			assertThat(listShards.get()).isZero();
			assertThat(Thread.getAllStackTraces().keySet())
				.noneMatch((thread) -> thread.getName().startsWith("kinesis-producer-lazy"));

			assertThat(producer.put("a")).succeedsWithin(Duration.ofSeconds(5));
			assertThat(listShards.get()).isOne();
		}
		finally {
			counting.close();
		}
	}

	@Test
	void recordStoredInAShardTheMapDoesNotKnowMakesTheProducerReadTheShardsAgain() {
		FakeKinesisClient resharded = new FakeKinesisClient(1) {
			@Override
			String shardFor(String partitionKey) {
				// a child of a split the producer has not read yet
				return "shardId-000000000007";
			}
		};
		try (KinesisProducer producer = KinesisProducer.builder(resharded)
			.streamName("resharded")
			.options(fast().rateLimitEnabled(false).build())
			.build()) {
			assertThat(producer.put("a")).succeedsWithin(Duration.ofSeconds(5))
				.extracting(PutResult::shardId)
				.isEqualTo("shardId-000000000007");
			await().until(() -> resharded.listShardsCalls.get() == 2);
		}
		finally {
			resharded.close();
		}
	}

	@Test
	void callbackThatPutsAgainOnAFullQueueDoesNotBlockTheSender() {
		CountDownLatch release = holdCalls();
		KinesisProducer producer = producer(fast().rateLimitEnabled(false)
			.maxInFlightBatches(1)
			.maxBatchRecords(1)
			.maxQueueSize(1)
			.queueFullTimeout(Duration.ofSeconds(30)));
		CompletableFuture<PutResult> first = producer.put("a");
		await().until(() -> this.kinesis.calls.size() == 1);
		CompletableFuture<PutResult> queued = producer.put("c");
		AtomicReference<String> callbackThread = new AtomicReference<>();
		CompletableFuture<PutResult> chained = first.thenCompose((result) -> {
			callbackThread.set(Thread.currentThread().getName());
			return producer.put("b");
		});

		release.countDown();

		// the put in the callback waits for room, which only the sender can make
		assertThat(chained).succeedsWithin(Duration.ofSeconds(5));
		assertThat(queued).succeedsWithin(Duration.ofSeconds(5));
		assertThat(callbackThread.get()).doesNotStartWith("kinesis-producer-orders").doesNotStartWith("fake-kinesis");
		producer.close();
		await().until(() -> Thread.getAllStackTraces()
			.keySet()
			.stream()
			.noneMatch(
					(thread) -> thread.getName().startsWith("kinesis-producer-callbacks-orders") && thread.isAlive()));
	}

	@Test
	void callbackThatJoinsAnotherRecordOfTheSameProducerDoesNotDeadlock() {
		KinesisProducer producer = producer(fast().rateLimitEnabled(false));
		CompletableFuture<PutResult> chained = producer.put("a").thenApply((result) -> producer.put("b").join());
		assertThat(chained).succeedsWithin(Duration.ofSeconds(5));
	}

	@Test
	void givenCallbackExecutorCompletesTheFuturesAndIsLeftRunning() {
		ExecutorService callbacks = Executors
			.newSingleThreadExecutor((runnable) -> new Thread(runnable, "app-callbacks"));
		try {
			KinesisProducer producer = producer(fast().rateLimitEnabled(false).callbackExecutor(callbacks));
			AtomicReference<String> callbackThread = new AtomicReference<>();
			CompletableFuture<PutResult> done = producer.put("a").thenApply((result) -> {
				callbackThread.set(Thread.currentThread().getName());
				return result;
			});
			assertThat(done).succeedsWithin(Duration.ofSeconds(5));
			assertThat(callbackThread.get()).isEqualTo("app-callbacks");
			producer.close();
			assertThat(callbacks.isShutdown()).isFalse();
		}
		finally {
			callbacks.shutdownNow();
		}
	}

	private KinesisProducer producer(ProducerOptions.Builder options, MetricsCollector metrics) {
		KinesisProducer producer = KinesisProducer.builder(this.kinesis)
			.streamName(STREAM)
			.metricsCollector(metrics)
			.options(options.build())
			.build();
		this.producers.add(producer);
		return producer;
	}

	/** Throws the first time one metric is recorded, as a broken collector would. */
	private static final class FailingOnceMetrics implements MetricsCollector {

		private final MetricsCollector delegate;

		private final MetricType failing;

		private final AtomicBoolean failed = new AtomicBoolean();

		FailingOnceMetrics(MetricsCollector delegate, MetricType failing) {
			this.delegate = delegate;
			this.failing = failing;
		}

		private void maybeFail(MetricType metric) {
			if (metric == this.failing && this.failed.compareAndSet(false, true)) {
				throw new IllegalStateException("metrics broke");
			}
		}

		@Override
		public void increment(MetricType metric, double value, Map<String, String> labels) {
			maybeFail(metric);
			this.delegate.increment(metric, value, labels);
		}

		@Override
		public void gauge(MetricType metric, double value, Map<String, String> labels) {
			maybeFail(metric);
			this.delegate.gauge(metric, value, labels);
		}

		@Override
		public void histogram(MetricType metric, double value, Map<String, String> labels) {
			maybeFail(metric);
			this.delegate.histogram(metric, value, labels);
		}

	}

}
