package dev.kinesisboot.producer;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.kinesisboot.aggregation.AggregatedRecord;
import dev.kinesisboot.aggregation.RecordAggregator;
import dev.kinesisboot.aggregation.UserRecord;
import dev.kinesisboot.metrics.KinesisMetrics;
import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.metrics.Timer;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Backoff;
import dev.kinesisboot.support.StreamNotFoundException;
import dev.kinesisboot.support.Streams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Sends records to one Kinesis stream in batches, within the stream's per-shard limits,
 * retrying what Kinesis refused, and completes each record's future once Kinesis accepted
 * it or it failed for good. Nothing is dropped without its future failing.
 *
 * <pre>{@code
 * try (KinesisProducer producer = KinesisProducer.builder(kinesisAsyncClient).streamName("orders").build()) {
 *     producer.put(Map.of("orderId", 42)).join();   // PutResult[shardId=..., sequenceNumber=..., subSequenceNumber=0]
 * }
 * }</pre>
 *
 * <p>
 * Records wait in a bounded queue for at most {@link ProducerOptions#bufferTime()}, or
 * less when a full PutRecords batch (500 records or 5 MiB) is ready. Each record is
 * counted against the rate limits of the shard its partition key hashes to, so a stream
 * with more shards takes more. Throttled and internally failed entries of a PutRecords
 * response are retried alone, with exponential back-off; failed calls (network, timeout,
 * 5xx) are retried whole; other errors fail the affected records only.
 * <p>
 * With {@link ProducerOptions#aggregationEnabled()}, the records queued for one shard are
 * packed into KPL aggregated records when their batch is assembled; each packed record is
 * put, rate-limited, counted in metrics and retried as the one Kinesis record it is, and
 * each of its records completes with its sequence number and sub-sequence number.
 * <p>
 * Each record's future is completed on the {@link ProducerOptions#callbackExecutor()
 * callback executor} (by default a thread of the producer's own, which ends on
 * {@code close}), after the batch's in-flight slot is freed: callbacks chained on the
 * futures never run on the sender thread or the SDK's response threads, so one that
 * blocks, or puts again on a full queue, cannot stall sending. The default executor runs
 * callbacks one at a time: a slow one delays the completion of later records, not their
 * sending.
 * <p>
 * Thread-safe: {@code put}, {@code flush} and {@code close} may be called from any
 * thread. The producer runs one sender thread (and, by default, its callback thread); it
 * does not close the client it was given. If the sender stops other than by {@code close}
 * (interrupted, or an unexpected error), the queued records fail and later puts throw
 * {@link IllegalStateException} naming why; a batch whose sending or result handling
 * throws fails its own records and gives back its in-flight slot, so {@code flush} and
 * {@code close} always return.
 */
public final class KinesisProducer implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(KinesisProducer.class);

	private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);

	/**
	 * Most threads of the default callback pool: one runs callbacks, the others stand in
	 * only while callbacks wait on other records' futures.
	 */
	private static final int MAX_CALLBACK_THREADS = 16;

	/** The producer whose futures the current thread is completing, if any. */
	private static final ThreadLocal<KinesisProducer> COMPLETING = new ThreadLocal<>();

	private final KinesisAsyncClient client;

	private final String streamName;

	private final String streamArn;

	private final ProducerOptions options;

	private final MetricsCollector metrics;

	private final PayloadSerializer serializer;

	private final PartitionKeyStrategy partitionKeyStrategy;

	private final Map<String, String> labels;

	private final Backoff backoff;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition notFull = this.lock.newCondition();

	private final Condition wake = this.lock.newCondition();

	private final Condition drained = this.lock.newCondition();

	private final Map<String, ShardQueue> queues = new LinkedHashMap<>();

	private final Map<String, ShardRateLimiter> limiters = new ConcurrentHashMap<>();

	private final Set<Pending> outstanding = ConcurrentHashMap.newKeySet();

	private final Thread sender;

	private final Executor callbackExecutor;

	/** The executor this producer made and shuts down, {@code null} for a given one. */
	private final ForkJoinPool ownCallbackExecutor;

	private ShardMap shardMap;

	private int queued;

	private long queuedBytes;

	private int inFlight;

	private long lastSeq;

	private long flushThroughSeq;

	/** Written under the lock; volatile so that {@code put} can fail fast without it. */
	private volatile State state = State.RUNNING;

	/** Why the sender stopped, once {@link State#FAILED}. */
	private volatile String failure;

	private boolean refreshing;

	private boolean refreshRequested;

	private long nextRefreshNanos;

	private int roundRobin;

	private KinesisProducer(Builder builder) {
		this.client = builder.client;
		this.streamArn = builder.streamArn;
		this.streamName = (builder.streamName != null) ? builder.streamName : Streams.nameOf(builder.streamArn);
		this.options = builder.options;
		this.metrics = KinesisMetrics.orDefault(builder.metricsCollector);
		this.serializer = builder.serializer;
		this.partitionKeyStrategy = builder.partitionKeyStrategy;
		this.labels = MetricLabels.stream(this.streamName);
		this.backoff = new Backoff(this.options.retryBackoffBase(), this.options.retryBackoffMax());
		if (this.options.createStream() && this.streamArn == null) {
			Streams.ensureExists(this.client, this.streamName, true, this.options.createStreamShardCount(),
					"create it, or set ProducerOptions.createStream(true) for development");
		}
		this.shardMap = loadShardMapAtStart();
		this.nextRefreshNanos = System.nanoTime() + this.options.shardRefreshInterval().toNanos();
		this.metrics.gauge(MetricType.PRODUCER_QUEUE_SIZE, 0, this.labels);
		this.ownCallbackExecutor = (this.options.callbackExecutor() != null) ? null
				: callbackPool("kinesis-producer-callbacks-" + this.streamName);
		this.callbackExecutor = (this.ownCallbackExecutor != null) ? this.ownCallbackExecutor
				: this.options.callbackExecutor();
		this.sender = new Thread(this::runSender, "kinesis-producer-" + this.streamName);
		this.sender.setDaemon(true);
		this.sender.start();
	}

	/**
	 * The default callback executor: one daemon thread runs completions, first in first
	 * out. A fork-join pool because a callback that joins another record's future (which
	 * this pool must complete) gets a stand-in thread instead of a deadlock, as in
	 * {@link ForkJoinPool#commonPool()}; at most {@value #MAX_CALLBACK_THREADS} threads,
	 * none after a minute idle.
	 */
	private static ForkJoinPool callbackPool(String name) {
		return new ForkJoinPool(1, (pool) -> {
			ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
			thread.setName(name);
			return thread;
		}, null, true, 0, MAX_CALLBACK_THREADS, 1, (pool) -> true, 60, TimeUnit.SECONDS);
	}

	/**
	 * Starts building a producer.
	 * @param client the Kinesis client to send with; the producer does not close it
	 * @return a builder
	 */
	public static Builder builder(KinesisAsyncClient client) {
		return new Builder(client);
	}

	/**
	 * The stream this producer sends to.
	 * @return the stream name
	 */
	public String streamName() {
		return this.streamName;
	}

	/**
	 * The options in use.
	 * @return the options
	 */
	public ProducerOptions options() {
		return this.options;
	}

	/**
	 * Queues a record with a partition key from the {@link PartitionKeyStrategy} (random
	 * by default).
	 * @param payload the payload: {@code byte[]}, a {@code String}, or an object for the
	 * serializer
	 * @return a future completed with where Kinesis stored the record, or failed
	 * @throws IllegalStateException when the producer is closed
	 */
	public CompletableFuture<PutResult> put(Object payload) {
		return put(payload, null);
	}

	/**
	 * Queues a record. Waits up to {@link ProducerOptions#queueFullTimeout()} while the
	 * queue is full. A record that is too large or has an invalid key fails its own
	 * future at once.
	 * @param payload the payload: {@code byte[]}, a {@code String}, or an object for the
	 * serializer
	 * @param partitionKey the partition key, or {@code null} to use the strategy
	 * @return a future completed with where Kinesis stored the record, or failed
	 * @throws IllegalStateException when the producer is closed
	 */
	public CompletableFuture<PutResult> put(Object payload, String partitionKey) {
		Objects.requireNonNull(payload, "payload must not be null");
		checkOpen();
		byte[] data;
		try {
			data = this.serializer.serialize(payload);
		}
		catch (RuntimeException ex) {
			return refused(RecordLimits.SERIALIZATION_FAILED, ex);
		}
		Pending pending;
		try {
			String key = (partitionKey != null) ? partitionKey : this.partitionKeyStrategy.partitionKey(payload);
			pending = new Pending(data, key, RecordLimits.check(data, key), this.options.recordTtl());
		}
		catch (RecordLimits.RecordRefusedException ex) {
			return refused(ex.errorType(), ex);
		}
		catch (RuntimeException ex) {
			return refused(RecordLimits.INVALID_PARTITION_KEY, ex);
		}
		enqueue(pending);
		return pending.future;
	}

	/**
	 * A record that never reaches the queue: counted in {@code producer_errors_total}
	 * with why, and failed with the clear message.
	 */
	private CompletableFuture<PutResult> refused(String errorType, RuntimeException ex) {
		this.metrics.increment(MetricType.PRODUCER_ERRORS, 1, errorLabels(errorType));
		return CompletableFuture.failedFuture(ex);
	}

	/**
	 * Sends everything queued so far without waiting for the buffer time.
	 * @return a future completed once every record queued before this call is accepted or
	 * failed
	 */
	public CompletableFuture<Void> flush() {
		this.lock.lock();
		try {
			this.flushThroughSeq = this.lastSeq;
			this.wake.signal();
		}
		finally {
			this.lock.unlock();
		}
		CompletableFuture<?>[] settled = this.outstanding.stream()
			.map((pending) -> pending.future.handle((result, error) -> null))
			.toArray(CompletableFuture[]::new);
		return CompletableFuture.allOf(settled);
	}

	/**
	 * Sends what is queued, waiting at most {@link ProducerOptions#closeTimeout()}, then
	 * stops. Records still not sent then fail their futures. Later {@code put} calls
	 * throw {@link IllegalStateException}. Calling it again does nothing.
	 */
	@Override
	public void close() {
		List<Runnable> failed = List.of();
		boolean closedNow = false;
		long remaining = this.options.closeTimeout().toNanos();
		this.lock.lock();
		try {
			if (this.state == State.RUNNING) {
				this.state = State.CLOSING;
				this.flushThroughSeq = this.lastSeq;
				this.wake.signal();
				this.notFull.signalAll();
			}
			while ((this.queued > 0 || this.inFlight > 0) && remaining > 0 && this.state == State.CLOSING) {
				remaining = this.drained.awaitNanos(remaining);
			}
			if (this.state != State.CLOSED) {
				closedNow = true;
				this.state = State.CLOSED;
				failed = failQueued("the producer was closed before the record could be sent (close timeout "
						+ this.options.closeTimeout() + ")");
				this.wake.signal();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			closedNow = true;
			remaining = 0;
			this.state = State.CLOSED;
			failed = failQueued("the producer was closed (interrupted) before the record could be sent");
			this.wake.signal();
		}
		finally {
			this.lock.unlock();
		}
		// the caller's thread, not the sender: failing here runs no user code on it
		failed.forEach(Runnable::run);
		if (closedNow) {
			awaitCompletions(remaining);
		}
		try {
			this.sender.join(TimeUnit.SECONDS.toMillis(5));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Waits, within what is left of the close timeout, until the futures of the records
	 * sent are completed on the callback executor, then shuts down the producer's own
	 * one; completions after that run where their batch finished. Not from one of this
	 * producer's callbacks, which would wait for itself.
	 */
	private void awaitCompletions(long remainingNanos) {
		if (COMPLETING.get() != this && remainingNanos > 0) {
			CompletableFuture<?>[] pending = this.outstanding.stream()
				.map((record) -> record.future)
				.toArray(CompletableFuture[]::new);
			try {
				CompletableFuture.allOf(pending).get(remainingNanos, TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (ExecutionException | TimeoutException ex) {
				// a failed record is an outcome; one still in flight completes later
			}
		}
		if (this.ownCallbackExecutor != null) {
			this.ownCallbackExecutor.shutdown();
		}
	}

	/**
	 * Completes futures on the callback executor, so that no user code runs on the sender
	 * or on the SDK's threads; called with no lock held and after the batch's in-flight
	 * slot is freed. Once the executor refuses (the producer closed), they complete here.
	 */
	private void complete(List<Runnable> completions) {
		if (completions.isEmpty()) {
			return;
		}
		Runnable task = () -> {
			COMPLETING.set(this);
			try {
				completions.forEach(Runnable::run);
			}
			finally {
				COMPLETING.remove();
			}
		};
		try {
			this.callbackExecutor.execute(task);
		}
		catch (RejectedExecutionException ex) {
			task.run();
		}
		catch (RuntimeException ex) {
			logger.warn("Callback executor of the producer for stream '{}' refused completions; running them here",
					this.streamName, ex);
			task.run();
		}
	}

	private void checkOpen() {
		if (this.state == State.FAILED) {
			throw new IllegalStateException("KinesisProducer for stream '" + this.streamName + "' stopped sending ("
					+ this.failure + "); close it and create a new producer to send more records");
		}
		if (this.state != State.RUNNING) {
			throw new IllegalStateException("KinesisProducer for stream '" + this.streamName
					+ "' is closed; create a new producer to send more records");
		}
	}

	private void enqueue(Pending pending) {
		long deadline = System.nanoTime() + this.options.queueFullTimeout().toNanos();
		this.lock.lock();
		try {
			while (this.queued >= this.options.maxQueueSize()) {
				checkOpen();
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					this.metrics.increment(MetricType.PRODUCER_ERRORS, 1, errorLabels(RecordLimits.QUEUE_FULL));
					pending.future.completeExceptionally(new ProducerQueueFullException(
							"Producer queue of stream '" + this.streamName + "' stayed full ("
									+ this.options.maxQueueSize() + " records) for " + this.options.queueFullTimeout()
									+ "; the record was not queued. Kinesis is not keeping up: "
									+ "add shards, put more slowly, or raise max-queue-size / queue-full-timeout"));
					return;
				}
				this.notFull.awaitNanos(remaining);
			}
			checkOpen();
			pending.seq = ++this.lastSeq;
			this.outstanding.add(pending);
			pending.future.whenComplete((result, error) -> this.outstanding.remove(pending));
			queueFor(pending).records.addLast(pending);
			this.queued++;
			this.queuedBytes += pending.size;
			// wake the sender when a full batch just became ready, not on every later
			// put: it
			// re-checks the queue on each pass and is woken by every completed batch
			boolean batchReady = this.queued == this.options.maxBatchRecords()
					|| (this.queuedBytes >= this.options.maxBatchBytes()
							&& this.queuedBytes - pending.size < this.options.maxBatchBytes());
			if (batchReady && this.inFlight < this.options.maxInFlightBatches()) {
				this.wake.signal();
			}
			this.metrics.gauge(MetricType.PRODUCER_QUEUE_SIZE, this.queued, this.labels);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			pending.future.completeExceptionally(ex);
		}
		finally {
			this.lock.unlock();
		}
	}

	private ShardQueue queueFor(Pending pending) {
		String shardId = this.shardMap.shardFor(pending.hashKey);
		return this.queues.computeIfAbsent(shardId, ShardQueue::new);
	}

	/**
	 * The sender loop. However it ends other than by {@code close}, the producer moves to
	 * {@link State#FAILED}: queued records fail and later puts throw, instead of waiting
	 * for a thread that is gone.
	 */
	private void runSender() {
		String stopped = "its sender thread ended";
		this.lock.lock();
		try {
			while (this.state != State.CLOSED) {
				long now = System.nanoTime();
				maybeRefreshShardMap(now);
				List<Batch> batches = assemble(now);
				if (!batches.isEmpty()) {
					this.inFlight += batches.size();
					this.metrics.gauge(MetricType.PRODUCER_QUEUE_SIZE, this.queued, this.labels);
					this.lock.unlock();
					try {
						batches.forEach(this::sendOrSettle);
					}
					finally {
						this.lock.lock();
					}
					continue;
				}
				if (this.queued == 0 && this.inFlight == 0) {
					this.drained.signalAll();
				}
				this.wake.awaitNanos(nextWakeNanos(now));
			}
		}
		catch (InterruptedException ex) {
			stopped = "its sender thread was interrupted";
			logger.error("Kinesis producer for stream '{}' stopped sending: its sender thread was interrupted",
					this.streamName);
		}
		catch (RuntimeException | Error ex) {
			stopped = "unexpected error " + ex;
			logger.error("Kinesis producer for stream '{}' stopped sending after an unexpected error", this.streamName,
					ex);
			if (ex instanceof Error error) {
				throw error;
			}
		}
		finally {
			List<Runnable> failed = List.of();
			if (this.state != State.CLOSED) {
				this.failure = stopped;
				this.state = State.FAILED;
				failed = failQueued("the producer stopped sending (" + stopped + ")");
			}
			this.drained.signalAll();
			this.lock.unlock();
			complete(failed);
		}
	}

	/**
	 * Sends a batch; if that throws before the call went out, the batch's records fail
	 * and its in-flight slot comes back.
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

	/** Gives a batch's in-flight slot back, then fails every record of it. */
	private void failBatch(Batch batch, String reason, Throwable cause) {
		finish(batch);
		List<Runnable> completions = new ArrayList<>();
		for (Pending pending : batch.userRecords()) {
			completions
				.add(fail(pending, AwsErrors.UNKNOWN, "Record for stream '" + this.streamName + "' " + reason, cause));
		}
		complete(completions);
	}

	/** Takes the records that may go now into batches; called under the lock. */
	private List<Batch> assemble(long now) {
		if (this.queued == 0 || this.inFlight >= this.options.maxInFlightBatches() || !isDue(now)) {
			return List.of();
		}
		List<Batch> batches = new ArrayList<>();
		List<ShardQueue> order = new ArrayList<>(this.queues.values());
		while (this.inFlight + batches.size() < this.options.maxInFlightBatches()) {
			Batch batch = new Batch();
			int start = this.roundRobin++;
			for (int i = 0; i < order.size() && !batch.isFull(this.options); i++) {
				ShardQueue queue = order.get(Math.floorMod(start + i, order.size()));
				if (this.options.orderedPerShard() && queue.inFlight) {
					continue;
				}
				takeFrom(queue, batch, now);
			}
			if (batch.entries.isEmpty()) {
				break;
			}
			batches.add(batch);
		}
		return batches;
	}

	private void takeFrom(ShardQueue queue, Batch batch, long now) {
		if (rateGated(queue, now) > 0) {
			return;
		}
		boolean took = false;
		while (!queue.records.isEmpty() && !batch.isFull(this.options)) {
			Pending head = queue.records.peekFirst();
			if (head.notBeforeNanos > now) {
				break;
			}
			RecordAggregator aggregator = aggregatorFor(queue, batch);
			List<Pending> members = (aggregator != null) ? collect(queue, aggregator, now) : List.of();
			boolean packed = members.size() > 1;
			int size = packed ? aggregator.size() : head.size;
			if (!batch.fits(size, this.options)) {
				break;
			}
			if (this.options.rateLimitEnabled() && limiterFor(queue.shardId, now).tryAcquire(size, now) > 0) {
				queue.blockedSize = size;
				break;
			}
			queue.blockedSize = 0;
			Entry entry = packed ? new Entry(members, aggregator.build()) : new Entry(head);
			for (Pending member : entry.records) {
				queue.records.pollFirst();
				this.queued--;
				this.queuedBytes -= member.size;
			}
			batch.add(entry);
			took = true;
		}
		if (took) {
			if (this.options.orderedPerShard()) {
				queue.inFlight = true;
				batch.shards.add(queue);
			}
			this.notFull.signalAll();
		}
	}

	/**
	 * An aggregator sized for what the batch can still take, or {@code null} when the
	 * records of this queue go one by one (aggregation off, or their shard unknown).
	 */
	private RecordAggregator aggregatorFor(ShardQueue queue, Batch batch) {
		if (!this.options.aggregationEnabled() || ShardMap.UNKNOWN_SHARD.equals(queue.shardId)) {
			return null;
		}
		long room = Math.min(this.options.aggregationMaxSize(), this.options.maxBatchBytes() - batch.bytes);
		return (room >= ProducerOptions.MIN_AGGREGATION_MAX_SIZE) ? new RecordAggregator((int) room) : null;
	}

	/**
	 * Adds the queue's ready records, from its head, while they fit; empty when the head
	 * is too large to share a record. Called under the lock.
	 */
	private static List<Pending> collect(ShardQueue queue, RecordAggregator aggregator, long now) {
		List<Pending> members = new ArrayList<>();
		for (Pending pending : queue.records) {
			if (pending.notBeforeNanos > now || !aggregator.tryAdd(UserRecord.of(pending.partitionKey, pending.data))) {
				break;
			}
			members.add(pending);
		}
		return members;
	}

	private boolean isDue(long now) {
		if (this.state != State.RUNNING || this.queued >= this.options.maxBatchRecords()
				|| this.queuedBytes >= this.options.maxBatchBytes()) {
			return true;
		}
		long bufferNanos = this.options.bufferTime().toNanos();
		for (ShardQueue queue : this.queues.values()) {
			Pending head = queue.records.peekFirst();
			if (head != null && head.notBeforeNanos <= now
					&& (head.seq <= this.flushThroughSeq || now - head.enqueuedNanos >= bufferNanos)) {
				return true;
			}
		}
		return false;
	}

	private long nextWakeNanos(long now) {
		long wait = Math.min(this.options.bufferTime().toNanos(), Math.max(1, this.nextRefreshNanos - now));
		if (this.inFlight >= this.options.maxInFlightBatches()) {
			return wait;
		}
		long bufferNanos = this.options.bufferTime().toNanos();
		for (ShardQueue queue : this.queues.values()) {
			Pending head = queue.records.peekFirst();
			if (head == null) {
				continue;
			}
			long due = Math.max(head.notBeforeNanos, Math.min(head.enqueuedNanos + bufferNanos,
					(head.seq <= this.flushThroughSeq) ? now : Long.MAX_VALUE));
			if (this.options.rateLimitEnabled() && due <= now) {
				due = now + Math.max(TimeUnit.MILLISECONDS.toNanos(1),
						Math.max(rateWait(queue, head, now), rateGated(queue, now)));
			}
			wait = Math.min(wait, due - now);
		}
		return Math.max(TimeUnit.MILLISECONDS.toNanos(1), wait);
	}

	/**
	 * Under a rate limit, a shard's records go in batches: the shard waits until its
	 * bucket holds tokens for what it has queued (at most a buffer time's worth), instead
	 * of sending a record or two each time a token comes back. Not when flushing or
	 * closing, nor with aggregation, which packs records anyway.
	 * @return 0 when the shard may send now, else the nanoseconds to wait
	 */
	private long rateGated(ShardQueue queue, long now) {
		Pending head = queue.records.peekFirst();
		if (!this.options.rateLimitEnabled() || this.options.aggregationEnabled() || head == null
				|| this.state != State.RUNNING || head.seq <= this.flushThroughSeq) {
			return 0;
		}
		long perBufferTime = this.options.recordsPerSecondPerShard() * this.options.bufferTime().toMillis() / 1000;
		int wanted = (int) Math.min(Math.min(queue.records.size(), this.options.maxBatchRecords()),
				Math.max(1, perBufferTime));
		return limiterFor(queue.shardId, now).nanosUntilRecords(wanted, now);
	}

	private long rateWait(ShardQueue queue, Pending head, long now) {
		// a packed record refused by the limiter is larger than the head alone
		return limiterFor(queue.shardId, now).nanosUntilAvailable(Math.max(head.size, queue.blockedSize), now);
	}

	private ShardRateLimiter limiterFor(String shardId, long now) {
		return this.limiters.computeIfAbsent(shardId,
				(id) -> new ShardRateLimiter(this.options.recordsPerSecondPerShard(),
						this.options.bytesPerSecondPerShard(), now));
	}

	private void send(Batch batch) {
		List<PutRecordsRequestEntry> entries = new ArrayList<>(batch.entries.size());
		for (Entry entry : batch.entries) {
			entry.records.forEach((pending) -> pending.attempts++);
			entries.add(PutRecordsRequestEntry.builder()
				.data(SdkBytes.fromByteArrayUnsafe(entry.data))
				.partitionKey(entry.partitionKey)
				.explicitHashKey(entry.explicitHashKey)
				.build());
		}
		PutRecordsRequest.Builder request = PutRecordsRequest.builder().records(entries);
		if (this.streamArn != null) {
			request.streamARN(this.streamArn);
		}
		else {
			request.streamName(this.streamName);
		}
		this.metrics.histogram(MetricType.PRODUCER_BATCH_SIZE, batch.entries.size(), this.labels);
		Timer timer = this.metrics.timer(MetricType.PRODUCER_FLUSH_DURATION, this.labels);
		CompletableFuture<PutRecordsResponse> call;
		try {
			call = this.client.putRecords(request.build());
		}
		catch (RuntimeException ex) {
			call = CompletableFuture.failedFuture(ex);
		}
		call.whenComplete((response, error) -> {
			timer.close();
			onBatchComplete(batch, response, error);
		});
	}

	/**
	 * Settles a batch: each record is completed, failed or queued for a retry, and the
	 * batch's in-flight slot is given back, whatever throws on the way.
	 */
	private void onBatchComplete(Batch batch, PutRecordsResponse response, Throwable error) {
		List<Runnable> completions = new ArrayList<>();
		try {
			settle(batch, response, error, completions);
		}
		catch (RuntimeException | Error ex) {
			logger.error("Kinesis producer for stream '{}' failed to handle the outcome of a PutRecords call",
					this.streamName, ex);
			failBatch(batch, "not confirmed: handling the PutRecords outcome failed (" + ex
					+ "); the record may have been stored", ex);
			return;
		}
		finish(batch);
		complete(completions);
	}

	private void settle(Batch batch, PutRecordsResponse response, Throwable error, List<Runnable> completions) {
		List<Pending> retries = new ArrayList<>();
		if (error != null || response == null) {
			Throwable failure = (error != null) ? error : new IllegalStateException("empty PutRecords response");
			String type = AwsErrors.errorType(failure);
			if (AwsErrors.THROTTLED.equals(type)) {
				this.metrics.increment(MetricType.PRODUCER_THROTTLES, batch.entries.size(), this.labels);
			}
			else {
				this.metrics.increment(MetricType.PRODUCER_ERRORS, 1, errorLabels(type));
			}
			boolean retryable = AwsErrors.isRetryable(failure);
			logger.debug("PutRecords of {} records to stream '{}' failed ({}), retryable={}", batch.entries.size(),
					this.streamName, type, retryable);
			for (Pending pending : batch.userRecords()) {
				pending.lastError = type + ": " + AwsErrors.unwrap(failure).getMessage();
				if (retryable) {
					retries.add(pending);
				}
				else {
					completions.add(fail(pending, type, "PutRecords to stream '" + this.streamName + "' failed with "
							+ pending.lastError + " (not retryable)", failure));
				}
			}
		}
		else {
			onResponse(batch, response, retries, completions);
		}
		requeueOrFail(retries, completions);
	}

	/**
	 * Frees the batch's in-flight slot, before its futures are completed: a callback that
	 * puts again must find the sender free to make room.
	 */
	private void finish(Batch batch) {
		this.lock.lock();
		try {
			this.inFlight--;
			batch.shards.forEach((queue) -> queue.inFlight = false);
			this.wake.signal();
			if (this.queued == 0 && this.inFlight == 0) {
				this.drained.signalAll();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private void onResponse(Batch batch, PutRecordsResponse response, List<Pending> retries,
			List<Runnable> completions) {
		List<PutRecordsResultEntry> results = response.records();
		long sent = 0;
		long sentBytes = 0;
		long throttled = 0;
		for (int i = 0; i < batch.entries.size(); i++) {
			Entry entry = batch.entries.get(i);
			PutRecordsResultEntry result = (i < results.size()) ? results.get(i) : null;
			if (result != null && result.errorCode() == null && result.sequenceNumber() != null) {
				sent++;
				sentBytes += entry.data.length;
				for (int sub = 0; sub < entry.records.size(); sub++) {
					Pending pending = entry.records.get(sub);
					PutResult putResult = new PutResult(result.shardId(), result.sequenceNumber(), sub);
					completions.add(() -> pending.future.complete(putResult));
				}
				if (!this.shardMap.contains(result.shardId())) {
					this.refreshRequested = true;
				}
				continue;
			}
			String code = (result != null && result.errorCode() != null) ? result.errorCode() : AwsErrors.UNKNOWN;
			String error = code
					+ ((result != null && result.errorMessage() != null) ? ": " + result.errorMessage() : "");
			if (AwsErrors.THROTTLED.equals(code)) {
				throttled++;
			}
			else {
				this.metrics.increment(MetricType.PRODUCER_ERRORS, 1, errorLabels(code));
			}
			// a packed record failed: every record in it is retried (or fails)
			for (Pending pending : entry.records) {
				pending.lastError = error;
				if (AwsErrors.isRetryableCode(code)) {
					retries.add(pending);
				}
				else {
					completions.add(fail(pending, code, "Kinesis refused the record for stream '" + this.streamName
							+ "' with " + pending.lastError + " (not retryable)", null));
				}
			}
		}
		if (sent > 0) {
			this.metrics.increment(MetricType.PRODUCER_RECORDS_SENT, sent, this.labels);
			this.metrics.increment(MetricType.PRODUCER_BYTES_SENT, sentBytes, this.labels);
		}
		if (throttled > 0) {
			this.metrics.increment(MetricType.PRODUCER_THROTTLES, throttled, this.labels);
		}
	}

	private void requeueOrFail(List<Pending> retries, List<Runnable> completions) {
		if (retries.isEmpty()) {
			return;
		}
		this.lock.lock();
		try {
			long now = System.nanoTime();
			List<Pending> requeue = new ArrayList<>();
			for (Pending pending : retries) {
				if (this.state == State.CLOSED || this.state == State.FAILED) {
					completions.add(fail(pending, pending.errorCode(),
							"the producer was closed while the record waited for a retry (last error "
									+ pending.lastError + ")",
							null));
				}
				else if (pending.attempts >= this.options.maxAttempts() || now >= pending.deadlineNanos) {
					completions.add(fail(pending, pending.errorCode(),
							"Record for stream '" + this.streamName + "' not accepted after " + pending.attempts
									+ " attempts in " + Duration.ofNanos(now - pending.enqueuedNanos).toMillis()
									+ " ms (last error " + pending.lastError
									+ "); add shards or raise max-attempts / record-ttl",
							null));
				}
				else {
					pending.notBeforeNanos = now + this.backoff.delayNanos(pending.attempts);
					requeue.add(pending);
				}
			}
			for (int i = requeue.size() - 1; i >= 0; i--) {
				Pending pending = requeue.get(i);
				queueFor(pending).records.addFirst(pending);
				this.queued++;
				this.queuedBytes += pending.size;
			}
			this.metrics.gauge(MetricType.PRODUCER_QUEUE_SIZE, this.queued, this.labels);
		}
		finally {
			this.lock.unlock();
		}
	}

	private Runnable fail(Pending pending, String code, String message, Throwable cause) {
		KinesisPutException exception = new KinesisPutException(message, code, pending.attempts, cause);
		return () -> pending.future.completeExceptionally(exception);
	}

	/**
	 * Empties the queue; called under the lock.
	 * @return the completions that fail the records, to run once the lock is released
	 */
	private List<Runnable> failQueued(String reason) {
		List<Runnable> failed = new ArrayList<>(this.queued);
		for (ShardQueue queue : this.queues.values()) {
			for (Pending pending : queue.records) {
				failed.add(fail(pending, pending.errorCode(),
						"Record for stream '" + this.streamName + "' not sent: " + reason, null));
			}
			queue.records.clear();
		}
		this.queued = 0;
		this.queuedBytes = 0;
		this.notFull.signalAll();
		this.metrics.gauge(MetricType.PRODUCER_QUEUE_SIZE, 0, this.labels);
		return failed;
	}

	private Map<String, String> errorLabels(String errorType) {
		return Map.of(MetricLabels.STREAM_NAME, this.streamName, MetricLabels.ERROR_TYPE, errorType);
	}

	// Shard map: read at start, then every shardRefreshInterval and when Kinesis names an
	// unknown shard; queued records move to the queues of their new shards.

	private ShardMap loadShardMapAtStart() {
		try {
			return ShardMap.of(listShards().get(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("Stream '" + this.streamName + "' did not answer ListShards within "
					+ SETUP_TIMEOUT + "; check kinesis.endpoint and the network", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while reading the shards of stream " + this.streamName, ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = AwsErrors.unwrap(ex);
			if (cause instanceof ResourceNotFoundException) {
				throw new StreamNotFoundException(this.streamName, this.client,
						"create it, or set ProducerOptions.createStream(true) for development", cause);
			}
			throw new IllegalStateException(
					"Could not read the shards of stream '" + this.streamName + "': " + cause.getMessage(), cause);
		}
	}

	private CompletableFuture<List<Shard>> listShards() {
		return Streams.listShards(this.client, (request) -> {
			if (this.streamArn != null) {
				request.streamARN(this.streamArn);
			}
			else {
				request.streamName(this.streamName);
			}
		});
	}

	/** Starts a shard map refresh when one is due; called under the lock. */
	private void maybeRefreshShardMap(long now) {
		if (this.refreshing || (!this.refreshRequested && now < this.nextRefreshNanos)) {
			return;
		}
		this.refreshing = true;
		this.refreshRequested = false;
		listShards().whenComplete((shards, error) -> {
			this.lock.lock();
			try {
				this.refreshing = false;
				this.nextRefreshNanos = System.nanoTime() + this.options.shardRefreshInterval().toNanos();
				if (error != null) {
					logger.warn("Could not refresh the shards of stream '{}': {}", this.streamName,
							AwsErrors.unwrap(error).toString());
					return;
				}
				applyShardMap(ShardMap.of(shards));
			}
			finally {
				this.lock.unlock();
			}
		});
	}

	private void applyShardMap(ShardMap map) {
		this.shardMap = map;
		List<ShardQueue> old = new ArrayList<>(this.queues.values());
		this.queues.clear();
		for (ShardQueue queue : old) {
			for (Pending pending : queue.records) {
				queueFor(pending).records.addLast(pending);
			}
		}
		this.limiters.keySet().removeIf((shardId) -> !map.contains(shardId));
		this.wake.signal();
	}

	private enum State {

		RUNNING, CLOSING, CLOSED,

		/** The sender stopped other than by close: puts fail fast, close still works. */
		FAILED

	}

	/** One record on its way, with its future and retry state. */
	private static final class Pending {

		final byte[] data;

		final String partitionKey;

		final BigInteger hashKey;

		final int size;

		final CompletableFuture<PutResult> future = new CompletableFuture<>();

		final long enqueuedNanos;

		final long deadlineNanos;

		long seq;

		int attempts;

		long notBeforeNanos;

		String lastError;

		Pending(byte[] data, String partitionKey, int size, Duration ttl) {
			this.data = data;
			this.partitionKey = partitionKey;
			this.hashKey = ShardMap.hashKey(partitionKey);
			this.size = size;
			this.enqueuedNanos = System.nanoTime();
			this.deadlineNanos = this.enqueuedNanos + ttl.toNanos();
		}

		String errorCode() {
			if (this.lastError == null) {
				return AwsErrors.UNKNOWN;
			}
			int colon = this.lastError.indexOf(':');
			return (colon < 0) ? this.lastError : this.lastError.substring(0, colon);
		}

	}

	/** The queued records of one shard, oldest first (retries go to the front). */
	private static final class ShardQueue {

		final String shardId;

		final ArrayDeque<Pending> records = new ArrayDeque<>();

		boolean inFlight;

		/** Size of the packed record the rate limiter last refused, 0 after a take. */
		int blockedSize;

		ShardQueue(String shardId) {
			this.shardId = shardId;
		}

	}

	/**
	 * One Kinesis record of a batch: a record as it was put, or several records of one
	 * shard packed into a KPL aggregated record.
	 */
	private static final class Entry {

		/** The records it holds; a record's index is its sub-sequence number. */
		final List<Pending> records;

		final byte[] data;

		final String partitionKey;

		final String explicitHashKey;

		final int size;

		Entry(Pending pending) {
			this.records = List.of(pending);
			this.data = pending.data;
			this.partitionKey = pending.partitionKey;
			this.explicitHashKey = null;
			this.size = pending.size;
		}

		Entry(List<Pending> records, AggregatedRecord packed) {
			this.records = records;
			this.data = packed.data();
			this.partitionKey = packed.partitionKey();
			this.explicitHashKey = packed.explicitHashKey();
			this.size = packed.size();
		}

	}

	/** The Kinesis records of one PutRecords call. */
	private static final class Batch {

		final List<Entry> entries = new ArrayList<>();

		final List<ShardQueue> shards = new ArrayList<>(1);

		long bytes;

		boolean fits(long size, ProducerOptions options) {
			return this.entries.size() < options.maxBatchRecords() && this.bytes + size <= options.maxBatchBytes();
		}

		boolean isFull(ProducerOptions options) {
			return this.entries.size() >= options.maxBatchRecords();
		}

		void add(Entry entry) {
			this.entries.add(entry);
			this.bytes += entry.size;
		}

		List<Pending> userRecords() {
			List<Pending> records = new ArrayList<>();
			this.entries.forEach((entry) -> records.addAll(entry.records));
			return records;
		}

	}

	/**
	 * Builds a {@link KinesisProducer}. Not thread-safe.
	 */
	public static final class Builder {

		private final KinesisAsyncClient client;

		private String streamName;

		private String streamArn;

		private ProducerOptions options = ProducerOptions.defaults();

		private MetricsCollector metricsCollector;

		private PayloadSerializer serializer;

		private PartitionKeyStrategy partitionKeyStrategy = PartitionKeyStrategy.random();

		private Builder(KinesisAsyncClient client) {
			this.client = Objects.requireNonNull(client, "client");
		}

		/**
		 * The stream to send to, by name.
		 * @param streamName the name
		 * @return this builder
		 */
		public Builder streamName(String streamName) {
			this.streamName = streamName;
			return this;
		}

		/**
		 * The stream to send to, by ARN (for a stream of another account or region).
		 * @param streamArn the ARN
		 * @return this builder
		 */
		public Builder streamArn(String streamArn) {
			this.streamArn = streamArn;
			return this;
		}

		/**
		 * The options (default {@link ProducerOptions#defaults()}).
		 * @param options the options
		 * @return this builder
		 */
		public Builder options(ProducerOptions options) {
			this.options = Objects.requireNonNull(options, "options");
			return this;
		}

		/**
		 * Where metrics go (default {@link KinesisMetrics#getMetricsCollector()}).
		 * @param metricsCollector the collector
		 * @return this builder
		 */
		public Builder metricsCollector(MetricsCollector metricsCollector) {
			this.metricsCollector = metricsCollector;
			return this;
		}

		/**
		 * How payloads become bytes (default {@link DefaultPayloadSerializer}: bytes as
		 * they are, strings as UTF-8, objects as JSON).
		 * @param serializer the serializer
		 * @return this builder
		 */
		public Builder serializer(PayloadSerializer serializer) {
			this.serializer = serializer;
			return this;
		}

		/**
		 * How records put without a key get one (default random).
		 * @param partitionKeyStrategy the strategy
		 * @return this builder
		 */
		public Builder partitionKeyStrategy(PartitionKeyStrategy partitionKeyStrategy) {
			this.partitionKeyStrategy = Objects.requireNonNull(partitionKeyStrategy, "partitionKeyStrategy");
			return this;
		}

		/**
		 * Builds the producer: reads the stream's shards (creating the stream when
		 * {@link ProducerOptions#createStream()} is set) and starts the sender thread.
		 * @return the producer
		 * @throws IllegalStateException when the stream does not exist or cannot be read
		 */
		public KinesisProducer build() {
			if ((this.streamName == null) == (this.streamArn == null)) {
				throw new IllegalArgumentException("Set exactly one of streamName and streamArn");
			}
			if (this.serializer == null) {
				this.serializer = new DefaultPayloadSerializer();
			}
			return new KinesisProducer(this);
		}

	}

	/**
	 * The limits of a single record, and the {@code error_type} of a record refused
	 * before sending.
	 */
	static final class RecordLimits {

		/** Data and partition key over the record size limit. */
		static final String RECORD_TOO_LARGE = "RecordTooLarge";

		/** Partition key empty, too long, or not made by the key strategy. */
		static final String INVALID_PARTITION_KEY = "InvalidPartitionKey";

		/** The serializer threw. */
		static final String SERIALIZATION_FAILED = "SerializationFailed";

		/** The queue stayed full for the queue-full timeout. */
		static final String QUEUE_FULL = "QueueFull";

		private RecordLimits() {
		}

		/**
		 * Checks a record against the Kinesis limits.
		 * @param data the record data
		 * @param partitionKey the partition key
		 * @return the record's size, data and key bytes
		 * @throws RecordRefusedException naming the size and the limit
		 */
		static int check(byte[] data, String partitionKey) {
			if (partitionKey == null || partitionKey.isEmpty()) {
				throw new RecordRefusedException(INVALID_PARTITION_KEY,
						"Partition key must not be empty; pass a key, or null to let the PartitionKeyStrategy make one");
			}
			// Kinesis counts Unicode characters: one outside the BMP is one, not two
			// UTF-16
			// units; counting code points only when the units exceed the limit keeps the
			// common case free
			int characters = partitionKey.length();
			if (characters > ProducerOptions.MAX_PARTITION_KEY_LENGTH) {
				characters = partitionKey.codePointCount(0, partitionKey.length());
			}
			if (characters > ProducerOptions.MAX_PARTITION_KEY_LENGTH) {
				throw new RecordRefusedException(INVALID_PARTITION_KEY,
						"Partition key of " + characters + " characters exceeds the Kinesis limit of "
								+ ProducerOptions.MAX_PARTITION_KEY_LENGTH
								+ " characters; use a shorter key (a hash of it, for example)");
			}
			int keyBytes = partitionKey.getBytes(StandardCharsets.UTF_8).length;
			long size = (long) data.length + keyBytes;
			if (size > ProducerOptions.MAX_RECORD_BYTES) {
				throw new RecordRefusedException(RECORD_TOO_LARGE,
						"Record of " + size + " bytes (data " + data.length + " + partition key " + keyBytes
								+ ") exceeds the Kinesis limit of " + ProducerOptions.MAX_RECORD_BYTES
								+ " bytes per record; split or compress the payload");
			}
			return (int) size;
		}

		/** A record over a Kinesis limit, with the {@code error_type} that says which. */
		static final class RecordRefusedException extends IllegalArgumentException {

			private final String errorType;

			RecordRefusedException(String errorType, String message) {
				super(message);
				this.errorType = errorType;
			}

			String errorType() {
				return this.errorType;
			}

		}

	}

}
