package dev.kinesisboot.producer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.kinesisboot.aggregation.RecordDeaggregator;
import dev.kinesisboot.aggregation.UserRecord;
import dev.kinesisboot.metrics.NoOpMetricsCollector;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.testsupport.SimulatedKinesis;
import dev.kinesisboot.testsupport.SimulationSeeds;
import dev.kinesisboot.testsupport.VirtualScheduler;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * The producer's guarantees under random schedules of faults, proven by running the real
 * producer ({@link KinesisProducer} and every part under it) on a virtual clock against a
 * {@link SimulatedKinesis} stream: partial failures, throttled calls, lost responses
 * (stored, but the answer never comes), connection errors, latency, splits and merges
 * while records are in flight, and random options (ordering, aggregation, rate limits,
 * batch sizes, calls in flight, attempts). A run is decided by its seed alone.
 * <p>
 * Checked after each run: every future is completed (a {@link CompletableFuture} cannot
 * complete twice, so exactly once); a record whose future succeeded was stored where its
 * result says; no record was stored twice unless a call that held it lost its response;
 * nothing is pending once {@code close} completed; a record that failed did so for what
 * the stream did, not for an error of the producer's own code; with
 * {@link ProducerOptions#orderedPerShard()}, the first copies of each key's stored
 * records are in put order. And no span in which records waited with no call in flight
 * lasted longer than the buffer time, the back-off and the rate gate explain: a record
 * held back by something that never lets go breaks none of the other checks when it at
 * last fails on its time to live.
 * <p>
 * The seeds to run are chosen as {@link SimulationSeeds} says: 2,000 by default,
 * {@code -Dsimulation.seeds=N} for more, {@code -Dsimulation.seed=S} replays one.
 */
class ProducerSimulationTests {

	/**
	 * Seeds that found a defect, run first whatever the range: 17 (a start that failed on
	 * one throttled ListShards).
	 */
	private static final long[] FOUND = { 17 };

	/** What the messages of records failed by the producer's own errors contain. */
	private static final List<String> INTERNAL_ERRORS = List.of(BatchSender.UNEXPECTED_ERROR,
			BatchSender.OUTCOME_NOT_HANDLED);

	private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);

	private static final Duration DEADLINE = Duration.ofMinutes(30);

	@Test
	void everyFutureCompletesOnceSucceededRecordsAreStoredOnceAndKeysKeepTheirOrder() {
		long[] totals = new long[6];
		long seeds = SimulationSeeds.run(ProducerSimulationTests.class, FOUND, (seed) -> new Run(seed).execute(),
				(run) -> {
					totals[0] += run.futures.size();
					totals[1] += run.succeeded;
					totals[2] += run.duplicates;
					totals[3] += run.calls;
					totals[4] += run.reshards;
					// in hundredths of the allowance, the tightest run
					totals[5] = Math.max(totals[5], run.longestIdle * 100 / run.allowedIdleNanos());
				});
		System.out.println("Producer simulation: " + seeds + " seeds, " + totals[0] + " records (" + totals[1]
				+ " succeeded, " + totals[2] + " stored twice after a lost response), " + totals[3]
				+ " PutRecords calls, " + totals[4] + " splits and merges, longest wait with no call in flight "
				+ totals[5] + " % of its allowance, 0 violations");
	}

	/**
	 * One simulation run.
	 */
	private static final class Run implements SimulationSeeds.Verdict {

		private static final int TRACE_LENGTH = 60;

		final long seed;

		final Random random;

		final VirtualScheduler clock;

		final SimulatedKinesis stream;

		final ProducerOptions options;

		/**
		 * Small (1 to 4) in three runs of four, so that passes reach it with a few
		 * retries queued.
		 */
		final int scanLimit;

		final List<CompletableFuture<PutResult>> futures = new ArrayList<>();

		final List<String> keys = new ArrayList<>();

		/** The data of each record, in put order (the futures' order). */
		final List<String> data = new ArrayList<>();

		final Map<String, Integer> putOrder = new HashMap<>();

		/**
		 * Records that were in a call whose response was lost: they may be stored twice.
		 */
		final Set<String> maybeStoredTwice = new HashSet<>();

		final List<String> violations = new ArrayList<>();

		final ArrayDeque<String> trace = new ArrayDeque<>();

		int succeeded;

		int duplicates;

		int calls;

		int reshards;

		/** PutRecords calls sent and not yet answered. */
		int callsInFlight;

		/** Records put whose futures are not completed yet. */
		int unsettled;

		/**
		 * Since when records have waited with no call in flight, or -1 while a call is in
		 * flight or nothing waits.
		 */
		long idleSince = -1;

		/** The longest such wait, in nanoseconds. */
		long longestIdle;

		KinesisProducer producer;

		Run(long seed) {
			this.seed = seed;
			this.random = new Random(seed);
			this.clock = new VirtualScheduler(seed * 31 + 7);
			this.stream = new SimulatedKinesis(this.clock, this.random, 1 + this.random.nextInt(4));
			this.stream.throttleRate = this.random.nextDouble() * 0.1;
			this.stream.lostRate = this.random.nextDouble() * 0.05;
			this.stream.entryFailureRate = this.random.nextDouble() * 0.3;
			this.stream.connectionErrorRate = this.random.nextDouble() * 0.05;
			this.stream.maxLatencyNanos = TimeUnit.MILLISECONDS.toNanos(1 + this.random.nextInt(300));
			this.options = ProducerOptions.builder()
				.orderedPerShard(this.random.nextBoolean())
				.aggregationEnabled(this.random.nextInt(4) == 0)
				.rateLimitEnabled(this.random.nextBoolean())
				.recordsPerSecondPerShard(20 + this.random.nextInt(1000))
				.maxInFlightBatches(1 + this.random.nextInt(8))
				.maxBatchRecords(1 + this.random.nextInt(this.random.nextBoolean() ? 10 : 500))
				.bufferTime(Duration.ofMillis(1 + this.random.nextInt(500)))
				.maxQueueSize(50 + this.random.nextInt(2000))
				.queueFullTimeout(Duration.ZERO)
				.maxAttempts(2 + this.random.nextInt(30))
				.recordTtl(Duration.ofSeconds(5 + this.random.nextInt(300)))
				.retryBackoff(Duration.ofMillis(10 + this.random.nextInt(200)), Duration.ofSeconds(2))
				.shardRefreshInterval(Duration.ofSeconds(1 + this.random.nextInt(30)))
				.closeTimeout(Duration.ofSeconds(this.random.nextInt(60)))
				.callbackExecutor(Runnable::run)
				.build();
			// drawn apart, so that a seed's stream and options stay those it had before
			Random scan = new Random(~seed);
			this.scanLimit = (scan.nextInt(4) != 0) ? 1 + scan.nextInt(4) : BatchAssembler.SCAN_LIMIT;
		}

		Run execute() {
			this.producer = KinesisProducer.builder(new RecordingClient(this.stream.client(this.clock)))
				.streamName("orders")
				.scheduler(this.clock)
				.metricsCollector(NoOpMetricsCollector.INSTANCE)
				.options(this.options)
				.scanLimit(this.scanLimit)
				.build();
			CompletableFuture<Void> started = this.producer.startAsync();
			this.clock.runUntil(started::isDone, DEADLINE);
			if (started.isCompletedExceptionally() || !started.isDone()) {
				this.violations.add("the producer did not start: " + started);
				return this;
			}
			long start = this.clock.nanoTime();
			int keyCount = 1 + this.random.nextInt(20);
			int records = 50 + this.random.nextInt(1000);
			for (int i = 0; i < records; i++) {
				String key = "key-" + this.random.nextInt(keyCount);
				String data = "r" + i;
				long at = start + this.random.nextLong(WINDOW_NANOS);
				at(at, () -> put(data, key));
			}
			int events = this.random.nextInt(6);
			for (int i = 0; i < events; i++) {
				int kind = this.random.nextInt(3);
				at(start + this.random.nextLong(WINDOW_NANOS), () -> {
					String change = switch (kind) {
						case 0 -> this.stream.splitRandomShard();
						case 1 -> this.stream.mergeRandomShards();
						default -> {
							this.producer.flush();
							yield "flush";
						}
					};
					if (change != null && !change.equals("flush")) {
						this.reshards++;
					}
					event(String.valueOf(change));
				});
			}
			CompletableFuture<Void> closed = new CompletableFuture<>();
			at(start + WINDOW_NANOS + 1, () -> {
				event("close");
				this.producer.closeAsync().whenComplete((ignored, error) -> closed.complete(null));
			});
			this.clock.runUntil(() -> closed.isDone() && this.futures.stream().allMatch(CompletableFuture::isDone),
					DEADLINE);
			check(closed);
			return this;
		}

		private void put(String data, String key) {
			this.keys.add(key);
			this.putOrder.put(data, this.data.size());
			this.data.add(data);
			CompletableFuture<PutResult> future;
			try {
				future = this.producer.put(data, key);
			}
			catch (RuntimeException ex) {
				// every put comes before the close
				this.violations.add("put of " + data + " threw " + ex);
				future = CompletableFuture.failedFuture(ex);
			}
			this.futures.add(future);
			this.unsettled++;
			noteIdle();
			future.whenComplete((result, error) -> {
				event(data + "/" + key + " "
						+ ((error != null) ? "failed: " + AwsErrors.unwrap(error).getMessage() : "stored " + result));
				this.unsettled--;
				noteIdle();
			});
		}

		/**
		 * Follows the spans in which records wait and no call is in flight. Such a span
		 * ends in a call or in the records' completion, and has a reason that runs out:
		 * the buffer time, a retry's back-off, the rate gate. A span far longer than
		 * those is a stall (a record held back by something that never lets go), which
		 * the checks of what was stored cannot see when the record at last expires with
		 * its time to live.
		 */
		private void noteIdle() {
			boolean idle = this.callsInFlight == 0 && this.unsettled > 0;
			long now = this.clock.nanoTime();
			if (idle && this.idleSince < 0) {
				this.idleSince = now;
			}
			else if (!idle && this.idleSince >= 0) {
				endIdleSpan(now);
			}
		}

		private void endIdleSpan(long now) {
			this.longestIdle = Math.max(this.longestIdle, now - this.idleSince);
			this.idleSince = -1;
		}

		/**
		 * The longest a record may wait with no call in flight: the buffer time, the
		 * longest back-off, and the rate gate's wait (for a batch, at most a buffer
		 * time's worth of records at the shard's rate; for one record, one record's
		 * time), with a second to spare. It counts on nothing else holding records back
		 * with no call in flight: a shard-map refresh only moves queued records between
		 * queues, a lost response is a call in flight until the client times out, a full
		 * queue fails the put at once (a queue-full timeout of 0) and the close timeout
		 * fails what is left. Option ranges that change those need a new bound.
		 */
		private long allowedIdleNanos() {
			return this.options.bufferTime().toNanos() * 2 + this.options.retryBackoffMax().toNanos()
					+ TimeUnit.SECONDS.toNanos(1) / this.options.recordsPerSecondPerShard()
					+ TimeUnit.SECONDS.toNanos(1);
		}

		private void at(long time, Runnable action) {
			this.clock.schedule(action, time - this.clock.nanoTime());
		}

		private void event(String event) {
			if (this.trace.size() == TRACE_LENGTH) {
				this.trace.removeFirst();
			}
			this.trace.addLast(TimeUnit.NANOSECONDS.toMillis(this.clock.nanoTime()) + " ms: " + event);
		}

		private void check(CompletableFuture<Void> closed) {
			if (!closed.isDone()) {
				this.violations.add("close did not complete within " + DEADLINE + " (a hang)");
			}
			// a span still open at the end (records left pending, a violation above)
			// counts
			// to now
			if (this.idleSince >= 0) {
				endIdleSpan(this.clock.nanoTime());
			}
			if (this.longestIdle > allowedIdleNanos()) {
				this.violations.add("records waited " + TimeUnit.NANOSECONDS.toMillis(this.longestIdle)
						+ " ms with no call in flight, longer than the "
						+ TimeUnit.NANOSECONDS.toMillis(allowedIdleNanos())
						+ " ms that buffer time, back-off and rate gate explain (a stall)");
			}
			Map<String, List<StoredUserRecord>> stored = storedByData();
			Map<String, List<Integer>> storedOrderByKey = new HashMap<>();
			for (StoredUserRecord record : storedInOrder()) {
				int index = this.putOrder.get(record.data);
				storedOrderByKey.computeIfAbsent(record.partitionKey, (k) -> new ArrayList<>()).add(index);
			}
			for (int i = 0; i < this.futures.size(); i++) {
				CompletableFuture<PutResult> future = this.futures.get(i);
				String data = this.data.get(i);
				List<StoredUserRecord> copies = stored.getOrDefault(data, List.of());
				if (!future.isDone()) {
					this.violations.add(data + ": future still pending after close");
					continue;
				}
				if (copies.size() > 1) {
					this.duplicates++;
					if (!this.maybeStoredTwice.contains(data)) {
						this.violations.add(data + " stored " + copies.size() + " times without a lost response");
					}
				}
				if (future.isCompletedExceptionally()) {
					checkFailure(data, future);
					continue;
				}
				this.succeeded++;
				PutResult result = future.join();
				boolean found = copies.stream()
					.anyMatch((copy) -> copy.shardId.equals(result.shardId())
							&& copy.sequenceNumber.equals(result.sequenceNumber())
							&& copy.subSequenceNumber == result.subSequenceNumber());
				if (!found) {
					this.violations.add(data + " succeeded with " + result + " but is not stored there");
				}
			}
			if (this.options.orderedPerShard()) {
				storedOrderByKey.forEach(this::checkOrder);
			}
		}

		/**
		 * A record may fail for what the stream did (refusals past the attempts, the time
		 * to live, the close timeout), never because the producer's own code threw.
		 */
		private void checkFailure(String data, CompletableFuture<PutResult> future) {
			String message = String
				.valueOf(AwsErrors.unwrap(future.handle((result, error) -> error).join()).getMessage());
			for (String internal : INTERNAL_ERRORS) {
				if (message.contains(internal)) {
					this.violations.add(data + " failed on an error of the producer's own: " + message);
				}
			}
		}

		/**
		 * The first copies of a key's records are in put order; a second copy (the retry
		 * of a call whose response was lost, checked above) may follow the other records
		 * of that call.
		 */
		private void checkOrder(String key, List<Integer> stored) {
			Set<Integer> seen = new HashSet<>();
			int last = -1;
			for (int index : stored) {
				if (!seen.add(index)) {
					continue;
				}
				if (index < last) {
					this.violations.add("key " + key + " stored out of order: " + this.data.get(index) + " after "
							+ this.data.get(last) + " (stored, as put order indexes: " + stored + ")");
					return;
				}
				last = index;
			}
		}

		private List<StoredUserRecord> storedInOrder() {
			List<StoredUserRecord> all = new ArrayList<>();
			for (SimulatedKinesis.Stored stored : this.stream.putLog()) {
				all.addAll(userRecords(stored.shardId(), stored.record()));
			}
			return all;
		}

		private Map<String, List<StoredUserRecord>> storedByData() {
			Map<String, List<StoredUserRecord>> byData = new HashMap<>();
			for (StoredUserRecord record : storedInOrder()) {
				byData.computeIfAbsent(record.data, (k) -> new ArrayList<>()).add(record);
			}
			return byData;
		}

		private static List<StoredUserRecord> userRecords(String shardId, Record record) {
			byte[] data = record.data().asByteArray();
			Optional<List<UserRecord>> packed = RecordDeaggregator.decode(data);
			if (packed.isEmpty()) {
				return List.of(new StoredUserRecord(shardId, record.sequenceNumber(), 0, record.partitionKey(),
						new String(data, StandardCharsets.UTF_8)));
			}
			List<StoredUserRecord> records = new ArrayList<>();
			for (int sub = 0; sub < packed.get().size(); sub++) {
				UserRecord user = packed.get().get(sub);
				records.add(new StoredUserRecord(shardId, record.sequenceNumber(), sub, user.partitionKey(),
						new String(user.data(), StandardCharsets.UTF_8)));
			}
			return records;
		}

		@Override
		public List<String> violations() {
			return this.violations;
		}

		@Override
		public String trace() {
			return String.join("\n", this.trace);
		}

		@Override
		public String summary() {
			return "seed " + this.seed + ": " + this.futures.size() + " records over "
					+ this.keys.stream().distinct().count() + " keys, " + this.succeeded + " succeeded, " + this.calls
					+ " calls, " + this.reshards + " reshards, " + this.stream.shardCount()
					+ " shards in all; options ordered=" + this.options.orderedPerShard() + " aggregation="
					+ this.options.aggregationEnabled() + " rateLimit=" + this.options.rateLimitEnabled()
					+ " maxBatchRecords=" + this.options.maxBatchRecords() + " inFlight="
					+ this.options.maxInFlightBatches() + " maxAttempts=" + this.options.maxAttempts() + " scanLimit="
					+ this.scanLimit;
		}

		/**
		 * The simulated client, noting which records were in a call whose response was
		 * lost and tracing every call.
		 */
		private final class RecordingClient implements KinesisAsyncClient {

			private final KinesisAsyncClient delegate;

			RecordingClient(KinesisAsyncClient delegate) {
				this.delegate = delegate;
			}

			@Override
			public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
				Run.this.calls++;
				Run.this.callsInFlight++;
				noteIdle();
				List<String> records = new ArrayList<>();
				for (PutRecordsRequestEntry entry : request.records()) {
					byte[] data = entry.data().asByteArray();
					Optional<List<UserRecord>> packed = RecordDeaggregator.decode(data);
					if (packed.isPresent()) {
						packed.get().forEach((user) -> records.add(new String(user.data(), StandardCharsets.UTF_8)));
					}
					else {
						records.add(new String(data, StandardCharsets.UTF_8));
					}
				}
				event("PutRecords " + records);
				return this.delegate.putRecords(request).whenComplete((response, error) -> {
					Run.this.callsInFlight--;
					noteIdle();
					if (error != null && AwsErrors.TIMEOUT.equals(AwsErrors.errorType(error))) {
						Run.this.maybeStoredTwice.addAll(records);
					}
					if (error != null) {
						event("PutRecords " + records + " failed: " + AwsErrors.errorType(error));
					}
					else {
						event("PutRecords " + records + " answered " + response.records()
							.stream()
							.map((result) -> (result.errorCode() != null) ? result.errorCode() : result.shardId())
							.toList());
					}
				});
			}

			@Override
			public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
				return this.delegate.listShards(request);
			}

			@Override
			public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(
					DescribeStreamSummaryRequest request) {
				return this.delegate.describeStreamSummary(request);
			}

			@Override
			public String serviceName() {
				return "kinesis";
			}

			@Override
			public void close() {
			}

		}

	}

	private record StoredUserRecord(String shardId, String sequenceNumber, long subSequenceNumber, String partitionKey,
			String data) {
	}

}
