package dev.kinesisboot.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.metrics.Timer;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Futures;
import dev.kinesisboot.support.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * Moves records from the {@link RecordBuffer} to Kinesis: runs passes on the
 * {@link Scheduler} (when a batch is ready, a buffer time or back-off ends, a call
 * settles, or a flush asks), in each of which the {@link BatchAssembler} takes what may
 * go into at most {@link ProducerOptions#maxInFlightBatches()} calls; sends them; and
 * hands each call's outcome to the {@link ResultHandler}, queueing retries in front. It
 * holds the one lock the buffer, the rate gate and the keys in flight are used under, and
 * the bounded queue's wait for room.
 * <p>
 * Thread-safe. Nothing runs on a thread of its own: a pass that throws fails the queued
 * records and moves to {@link State#FAILED}, so puts fail fast instead of queueing for a
 * sender that is gone; a call whose sending or settling throws fails its own records and
 * gives its slot back. Completions go to the given completer with no lock held, after the
 * call's slot is freed.
 */
final class BatchSender {

	/**
	 * In the errors of records failed because a pass of the producer's own code threw
	 * (the tests look for it: a record must never fail that way).
	 */
	static final String UNEXPECTED_ERROR = "unexpected error";

	/**
	 * In the errors of records failed because settling their call threw (the tests look
	 * for it, as for {@link #UNEXPECTED_ERROR}).
	 */
	static final String OUTCOME_NOT_HANDLED = "handling the PutRecords outcome failed";

	private static final Logger logger = LoggerFactory.getLogger(BatchSender.class);

	private final KinesisAsyncClient client;

	private final String streamName;

	private final String streamArn;

	private final ProducerOptions options;

	private final MetricsCollector metrics;

	private final Map<String, String> labels;

	private final Scheduler scheduler;

	private final Consumer<List<Runnable>> completer;

	private final Runnable onUnknownShard;

	private final Runnable onSizeRefused;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition notFull = this.lock.newCondition();

	private final RecordBuffer buffer;

	private final KeysInFlight keys = new KeysInFlight();

	private final RateGate gate;

	private final BatchAssembler assembler;

	private final ResultHandler results;

	private final long bufferNanos;

	/** Written under the lock; volatile so that {@code put} can fail fast without it. */
	private volatile State state = State.RUNNING;

	private volatile String failure;

	private volatile ShardMap shardMap = ShardMap.empty();

	private int inFlight;

	private Scheduler.Cancellable pass;

	private long passAt;

	private CompletableFuture<Void> drained;

	/** Completed once the records failed by every stop so far are completed. */
	private CompletableFuture<Void> failuresRun = CompletableFuture.completedFuture(null);

	BatchSender(Context context, Consumer<List<Runnable>> completer, Runnable onUnknownShard, Runnable onSizeRefused) {
		this.client = context.client();
		this.streamName = context.streamName();
		this.streamArn = context.streamArn();
		this.options = context.options();
		this.metrics = context.metrics();
		this.scheduler = context.scheduler();
		this.labels = MetricLabels.stream(this.streamName);
		this.completer = completer;
		this.onUnknownShard = onUnknownShard;
		this.onSizeRefused = onSizeRefused;
		this.buffer = new RecordBuffer(this.options.maxQueueSize(), RecordBuffer.groupsByShard(this.options));
		this.gate = new RateGate(this.options);
		this.assembler = new BatchAssembler(this.options, this.gate, this.keys, context.scanLimit());
		this.results = new ResultHandler(this.streamName, this.options, this.metrics, this.scheduler);
		this.bufferNanos = this.options.bufferTime().toNanos();
	}

	State state() {
		return this.state;
	}

	String failure() {
		return this.failure;
	}

	/**
	 * Queues a record, waiting up to {@link ProducerOptions#queueFullTimeout()} while the
	 * queue is full.
	 * @param record the record
	 * @return {@code false} when the queue stayed full
	 * @throws InterruptedException when interrupted while waiting for room
	 * @throws IllegalStateException when the sender no longer takes records
	 */
	boolean offer(PendingRecord record) throws InterruptedException {
		this.lock.lock();
		try {
			long remaining = this.options.queueFullTimeout().toNanos();
			boolean waited = false;
			while (this.buffer.isFull()) {
				checkRunning();
				if (remaining <= 0) {
					return false;
				}
				remaining = this.notFull.awaitNanos(remaining);
				waited = true;
			}
			checkRunning();
			this.buffer.add(record);
			this.metrics.gauge(MetricType.PRODUCER_QUEUE_SIZE, this.buffer.size(), this.labels);
			if (this.inFlight < this.options.maxInFlightBatches()) {
				// a pass at once when a full batch just became ready, not on every later
				// put: the pass takes what may go, and each settling call starts the next
				// one
				long maxBytes = this.options.maxBatchBytes();
				boolean batchReady = this.buffer.size() == this.options.maxBatchRecords()
						|| (this.buffer.bytes() >= maxBytes && this.buffer.bytes() - record.size < maxBytes);
				// the put read the clock just before: read it again only after a wait
				long now = waited ? this.scheduler.nanoTime() : record.enqueuedNanos;
				schedulePass(now, batchReady ? 0 : this.bufferNanos);
			}
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void checkRunning() {
		if (this.state != State.RUNNING) {
			throw new IllegalStateException("not running");
		}
	}

	/** Makes everything queued so far due now. */
	void flush() {
		this.lock.lock();
		try {
			this.buffer.flushAll();
			schedulePass(0);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Routes queued records by a new shard map.
	 * @param map the map
	 */
	void applyShardMap(ShardMap map) {
		this.lock.lock();
		try {
			this.shardMap = map;
			this.buffer.rehome(map);
			this.gate.retain(map);
			if (!this.buffer.isEmpty()) {
				schedulePass(0);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Stops taking records and sends everything queued.
	 * @return a future completed once nothing is queued or in flight, or the sender
	 * stopped
	 */
	CompletableFuture<Void> drain() {
		CompletableFuture<Void> done;
		this.lock.lock();
		try {
			if (this.drained == null) {
				this.drained = new CompletableFuture<>();
			}
			if (this.state == State.RUNNING) {
				this.state = State.DRAINING;
				this.buffer.flushAll();
				this.notFull.signalAll();
				schedulePass(0);
			}
			done = this.drained;
		}
		finally {
			this.lock.unlock();
		}
		signalIfDrained();
		return done;
	}

	/**
	 * Stops: the records still queued fail with the reason; calls in flight settle, and
	 * their retries fail.
	 * @param reason why, for the records' errors
	 * @return a future completed once the failed records' futures are completed (on the
	 * completer), and those of every earlier stop
	 */
	CompletableFuture<Void> stop(String reason) {
		List<Runnable> failed;
		CompletableFuture<Void> ran = new CompletableFuture<>();
		CompletableFuture<Void> allRan;
		this.lock.lock();
		try {
			if (this.state != State.CLOSED && this.state != State.FAILED) {
				this.state = State.CLOSED;
			}
			failed = failQueued(reason);
			if (this.pass != null) {
				this.pass.cancel();
				this.pass = null;
			}
			if (this.drained == null) {
				this.drained = new CompletableFuture<>();
			}
			this.failuresRun = CompletableFuture.allOf(this.failuresRun, ran);
			allRan = this.failuresRun;
		}
		finally {
			this.lock.unlock();
		}
		failed.add(() -> ran.complete(null));
		this.completer.accept(failed);
		this.drained.complete(null);
		return allRan;
	}

	/** Schedules a pass unless one is due by then; called under the lock. */
	private void schedulePass(long delayNanos) {
		schedulePass(this.scheduler.nanoTime(), delayNanos);
	}

	private void schedulePass(long nowNanos, long delayNanos) {
		if (this.state == State.CLOSED || this.state == State.FAILED) {
			return;
		}
		long at = nowNanos + delayNanos;
		if (this.pass != null) {
			if (this.passAt <= at) {
				return;
			}
			this.pass.cancel();
		}
		this.passAt = at;
		this.pass = this.scheduler.schedule(this::runPass, delayNanos);
	}

	private void runPass() {
		List<Batch> batches = List.of();
		List<Runnable> failed = List.of();
		this.lock.lock();
		try {
			this.pass = null;
			if (this.state == State.CLOSED || this.state == State.FAILED) {
				return;
			}
			long now = this.scheduler.nanoTime();
			checkRetryCounts();
			batches = this.assembler.assemble(this.buffer, now, this.options.maxInFlightBatches() - this.inFlight,
					this.state == State.DRAINING);
			checkRetryCounts();
			if (!batches.isEmpty()) {
				this.inFlight += batches.size();
				this.notFull.signalAll();
				this.metrics.gauge(MetricType.PRODUCER_QUEUE_SIZE, this.buffer.size(), this.labels);
			}
			scheduleNext(now);
		}
		catch (RuntimeException | Error ex) {
			logger.error("Kinesis producer for stream '{}' stopped sending after an unexpected error", this.streamName,
					ex);
			this.failure = UNEXPECTED_ERROR + " " + ex;
			this.state = State.FAILED;
			failed = failQueued("the producer stopped sending (" + this.failure + ")");
			if (ex instanceof Error error) {
				throw error;
			}
		}
		finally {
			this.lock.unlock();
			this.completer.accept(failed);
		}
		batches.forEach(this::sendOrSettle);
		signalIfDrained();
	}

	/**
	 * Where assertions are on (the tests and the simulation), fails the pass when the
	 * queues' counts of retry keys disagree with their retries, as changed by the last
	 * pass, settled calls or a new shard map. It looks at every retry, so production runs
	 * without it. Under the lock.
	 */
	private void checkRetryCounts() {
		assert this.buffer.retryCountsMatch() : "the counts of retry keys disagree with the queued retries";
	}

	/** Schedules the next pass for when something waits on time; under the lock. */
	private void scheduleNext(long now) {
		if (this.buffer.isEmpty() || this.inFlight >= this.options.maxInFlightBatches()) {
			// a settling call starts the next pass
			return;
		}
		long wait = this.assembler.nanosUntilDue(this.buffer, now, this.state == State.DRAINING);
		if (wait != Long.MAX_VALUE) {
			schedulePass(wait);
		}
	}

	/**
	 * Sends a batch; if that throws before the call went out, the batch's records fail
	 * and its slot comes back.
	 */
	private void sendOrSettle(Batch batch) {
		try {
			send(batch);
		}
		catch (RuntimeException | Error ex) {
			logger.error("Kinesis producer for stream '{}' could not send a batch of {} records", this.streamName,
					batch.entries.size(), ex);
			failBatch(batch, "not sent: preparing the PutRecords call failed (" + ex + ")", ex);
		}
	}

	private void send(Batch batch) {
		PutRecordsRequest.Builder request = PutRecordsRequest.builder().records(batch.requestEntries());
		if (this.streamArn != null) {
			request.streamARN(this.streamArn);
		}
		else {
			request.streamName(this.streamName);
		}
		this.metrics.histogram(MetricType.PRODUCER_BATCH_SIZE, batch.entries.size(), this.labels);
		Timer timer = this.metrics.timer(MetricType.PRODUCER_FLUSH_DURATION, this.labels);
		PutRecordsRequest built = request.build();
		Futures.call(() -> this.client.putRecords(built)).whenComplete((response, error) -> {
			timer.close();
			onSettled(batch, response, error);
		});
	}

	/**
	 * Settles a call: each record is completed, failed or queued for a retry, and the
	 * call's slot is given back, whatever throws on the way.
	 */
	private void onSettled(Batch batch, PutRecordsResponse response, Throwable error) {
		ResultHandler.Outcome outcome;
		try {
			outcome = this.results.settle(batch, response, error, this.shardMap);
		}
		catch (RuntimeException | Error ex) {
			logger.error("Kinesis producer for stream '{}' failed to handle the outcome of a PutRecords call",
					this.streamName, ex);
			failBatch(batch, "not confirmed: " + OUTCOME_NOT_HANDLED + " (" + ex + "); the record may have been stored",
					ex);
			return;
		}
		List<Runnable> completions = outcome.completions;
		if (outcome.allStored != null) {
			completions.add(new StoredCallCompletion(batch, outcome.allStored, this.shardMap, this.onUnknownShard));
		}
		this.lock.lock();
		try {
			if (!outcome.retries.isEmpty()) {
				if (this.state == State.CLOSED || this.state == State.FAILED) {
					for (PendingRecord record : outcome.retries) {
						completions.add(ResultHandler.fail(record, record.errorCode(),
								"the producer was closed while the record waited for a retry (last error "
										+ record.lastError + ")",
								null));
					}
				}
				else {
					// back in front before the keys are released: a later record of a key
					// cannot go first
					this.buffer.returnToFront(outcome.retries);
					this.metrics.gauge(MetricType.PRODUCER_QUEUE_SIZE, this.buffer.size(), this.labels);
				}
			}
			release(batch);
		}
		finally {
			this.lock.unlock();
		}
		if (outcome.unknownShard) {
			this.onUnknownShard.run();
		}
		if (outcome.sizeRefused) {
			this.onSizeRefused.run();
		}
		this.completer.accept(completions);
		signalIfDrained();
	}

	/** Gives a call's slot and keys back and starts the next pass; under the lock. */
	private void release(Batch batch) {
		this.inFlight--;
		this.keys.release(batch.heldKeys);
		if (!this.buffer.isEmpty()) {
			schedulePass(0);
		}
	}

	/** Gives a batch's slot back, then fails every record of it. */
	private void failBatch(Batch batch, String reason, Throwable cause) {
		this.lock.lock();
		try {
			release(batch);
		}
		finally {
			this.lock.unlock();
		}
		List<Runnable> completions = new ArrayList<>();
		for (PendingRecord record : batch.userRecords()) {
			completions.add(ResultHandler.fail(record, AwsErrors.UNKNOWN,
					"Record for stream '" + this.streamName + "' " + reason, cause));
		}
		this.completer.accept(completions);
		signalIfDrained();
	}

	/** Empties the queue; under the lock. */
	private List<Runnable> failQueued(String reason) {
		List<Runnable> failed = new ArrayList<>();
		for (PendingRecord record : this.buffer.removeAll()) {
			failed.add(ResultHandler.fail(record, record.errorCode(),
					"Record for stream '" + this.streamName + "' not sent: " + reason, null));
		}
		this.notFull.signalAll();
		this.metrics.gauge(MetricType.PRODUCER_QUEUE_SIZE, 0, this.labels);
		return failed;
	}

	private void signalIfDrained() {
		CompletableFuture<Void> done = null;
		this.lock.lock();
		try {
			if (this.drained != null && this.buffer.isEmpty() && this.inFlight == 0) {
				done = this.drained;
			}
		}
		finally {
			this.lock.unlock();
		}
		if (done != null) {
			done.complete(null);
		}
	}

	/**
	 * Where the sender stands.
	 */
	enum State {

		RUNNING,

		/** Closing: takes no records, sends what is queued. */
		DRAINING,

		CLOSED,

		/** A pass failed unexpectedly: puts fail fast, close still works. */
		FAILED

	}

	/**
	 * What the sender works with.
	 *
	 * @param client the Kinesis client
	 * @param streamName the stream's name
	 * @param streamArn the stream's ARN, or {@code null} to name it by name
	 * @param options the options
	 * @param metrics where metrics go
	 * @param scheduler time and timers
	 * @param scanLimit most records a pass looks at per queue and deque (see
	 * {@link BatchAssembler#SCAN_LIMIT})
	 */
	record Context(KinesisAsyncClient client, String streamName, String streamArn, ProducerOptions options,
			MetricsCollector metrics, Scheduler scheduler, int scanLimit) {
	}

}
