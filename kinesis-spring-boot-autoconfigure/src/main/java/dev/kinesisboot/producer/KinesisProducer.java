package dev.kinesisboot.producer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.kinesisboot.metrics.KinesisMetrics;
import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Backoff;
import dev.kinesisboot.support.Futures;
import dev.kinesisboot.support.Scheduler;
import dev.kinesisboot.support.StreamNotFoundException;
import dev.kinesisboot.support.Streams;
import dev.kinesisboot.support.SystemScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
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
 * A facade over parts with one job each: a {@link RecordBuffer} (the bounded queue, per
 * shard), a {@link BatchAssembler} (which records go in which PutRecords call), a
 * {@link RateGate} (per-shard limits), a {@link BatchSender} (passes, calls, slots), a
 * {@link ResultHandler} (per-record outcome, retry or fail), a {@link ShardMapRefresher}
 * and the {@link StreamRecordLimit}. Building one does no I/O and starts no thread:
 * {@link #start()} (or the first {@code put}) reads the stream's shards and record limit.
 * Time and timers come from a {@link Scheduler} ({@link SystemScheduler} by default), so
 * the producer runs on a virtual clock in tests.
 * <p>
 * Records wait in a bounded queue for at most {@link ProducerOptions#bufferTime()}, or
 * less when a full PutRecords batch (500 records or 10 MiB) is ready. Each record is
 * counted against the rate limits of the shard its partition key hashes to, so a stream
 * with more shards takes more. Throttled and internally failed entries of a PutRecords
 * response are retried alone, with exponential back-off; failed calls (network, timeout,
 * 5xx) are retried whole; other errors fail the affected records only. With
 * {@link ProducerOptions#orderedPerShard()}, the records of one partition key are stored
 * in the order they were put (see there for what it costs).
 * <p>
 * With {@link ProducerOptions#aggregationEnabled()}, the records queued for one shard are
 * packed into KPL aggregated records when their batch is assembled; each packed record is
 * put, rate-limited, counted in metrics and retried as the one Kinesis record it is, and
 * each of its records completes with its sequence number and sub-sequence number.
 * <p>
 * Each record's future is completed on the {@link ProducerOptions#callbackExecutor()
 * callback executor} (by default a thread of the producer's own, which ends on
 * {@code close}), after the call's in-flight slot is freed: callbacks chained on the
 * futures never run on the producer's timer or the SDK's response threads, so one that
 * blocks, or puts again on a full queue, cannot stall sending.
 * <p>
 * Thread-safe: {@code start}, {@code put}, {@code flush} and {@code close} may be called
 * from any thread. It does not close the client it was given. If sending stops other than
 * by {@code close} (an unexpected error), the queued records fail and later puts throw
 * {@link IllegalStateException} naming why; a call whose sending or result handling
 * throws fails its own records and gives back its in-flight slot, so {@code flush} and
 * {@code close} always return.
 */
public final class KinesisProducer implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(KinesisProducer.class);

	private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);

	private static final Backoff START_BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

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

	private final Scheduler givenScheduler;

	private final OutstandingRecords outstanding = new OutstandingRecords();

	private final StreamRecordLimit recordLimit;

	private final long recordTtlNanos;

	/** Whether records are routed by shard in the queue, and so need their key's hash. */
	private final boolean routedByShard;

	private final int scanLimit;

	/** Written under {@code this}; volatile for the puts' fast path. */
	private volatile Lifecycle lifecycle = Lifecycle.NEW;

	private CompletableFuture<Void> starting;

	private CompletableFuture<Void> closing;

	private Scheduler scheduler;

	private Executor callbackExecutor;

	/** The executor this producer made and shuts down, {@code null} for a given one. */
	private ForkJoinPool ownCallbackExecutor;

	private BatchSender sender;

	private ShardMapRefresher refresher;

	private KinesisProducer(Builder builder) {
		this.client = builder.client;
		this.streamArn = builder.streamArn;
		this.streamName = (builder.streamName != null) ? builder.streamName : Streams.nameOf(builder.streamArn);
		this.options = builder.options;
		this.metrics = KinesisMetrics.orDefault(builder.metricsCollector);
		this.serializer = builder.serializer;
		this.partitionKeyStrategy = builder.partitionKeyStrategy;
		this.labels = MetricLabels.stream(this.streamName);
		this.givenScheduler = builder.scheduler;
		this.recordTtlNanos = this.options.recordTtl().toNanos();
		this.routedByShard = RecordBuffer.groupsByShard(this.options);
		this.scanLimit = builder.scanLimit;
		this.recordLimit = new StreamRecordLimit(() -> this.client.describeStreamSummary((request) -> {
			if (this.streamArn != null) {
				request.streamARN(this.streamArn);
			}
			else {
				request.streamName(this.streamName);
			}
		}), this.streamName);
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
	 * The largest record the stream takes, data and partition key, as last read from the
	 * stream (1 MiB until the producer started, or where the endpoint does not say).
	 * @return bytes
	 */
	public int maxRecordBytes() {
		return this.recordLimit.maxRecordBytes();
	}

	/**
	 * Reads the stream's shards and maximum record size (creating the stream when
	 * {@link ProducerOptions#createStream()} is set) and starts sending; waits up to 60
	 * s. Called by the first {@code put} when not called before; calling it again does
	 * nothing. Call it off any lock others wait on: it does network I/O.
	 * @throws IllegalStateException when the stream does not exist or cannot be read, or
	 * the producer is closed
	 */
	public void start() {
		CompletableFuture<Void> started = startAsync();
		try {
			started.get(SETUP_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			Throwable cause = AwsErrors.unwrap(ex);
			throw (cause instanceof RuntimeException runtime) ? runtime : new IllegalStateException(
					"Could not start the producer of stream '" + this.streamName + "'", cause);
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("Stream '" + this.streamName + "' did not answer ListShards within "
					+ SETUP_TIMEOUT + "; check the client's endpoint and the network", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while reading the shards of stream " + this.streamName, ex);
		}
	}

	/**
	 * Starts without waiting: the future completes once the producer sends, or fails as
	 * {@link #start()} would throw. With {@link ProducerOptions#createStream()} the
	 * calling thread waits for the stream to exist first.
	 * @return the start's future; the same one until it failed
	 */
	public CompletableFuture<Void> startAsync() {
		CompletableFuture<Void> started;
		synchronized (this) {
			if (this.lifecycle == Lifecycle.CLOSED) {
				return CompletableFuture.failedFuture(closedException());
			}
			if (this.starting != null) {
				return this.starting;
			}
			this.lifecycle = Lifecycle.STARTING;
			started = new CompletableFuture<>();
			this.starting = started;
			if (this.scheduler == null) {
				this.scheduler = (this.givenScheduler != null) ? this.givenScheduler
						: new SystemScheduler("kinesis-producer-" + this.streamName);
				this.ownCallbackExecutor = (this.options.callbackExecutor() != null) ? null
						: callbackPool("kinesis-producer-callbacks-" + this.streamName);
				this.callbackExecutor = (this.ownCallbackExecutor != null) ? this.ownCallbackExecutor
						: this.options.callbackExecutor();
				this.sender = new BatchSender(
						new BatchSender.Context(this.client, this.streamName, this.streamArn, this.options,
								this.metrics, this.scheduler, this.scanLimit),
						this::complete, () -> this.refresher.requestRefresh(), this.recordLimit::read);
				this.refresher = new ShardMapRefresher(this::listShards, this.scheduler,
						this.options.shardRefreshInterval().toNanos(), this.sender::applyShardMap, this.streamName);
				this.metrics.gauge(MetricType.PRODUCER_QUEUE_SIZE, 0, this.labels);
			}
		}
		try {
			if (this.options.createStream() && this.streamArn == null) {
				Streams.ensureExists(this.client, this.streamName, true, this.options.createStreamShardCount(),
						"create it, or set ProducerOptions.createStream(true) for development");
			}
		}
		catch (RuntimeException ex) {
			startFailed(started, ex);
			return started;
		}
		CompletableFuture<List<Shard>> shards = new CompletableFuture<>();
		readShards(shards, this.scheduler.nanoTime() + SETUP_TIMEOUT.toNanos(), 1);
		this.recordLimit.read().thenCombine(shards, (ignored, list) -> list).whenComplete((list, error) -> {
			if (error != null) {
				startFailed(started, translate(AwsErrors.unwrap(error)));
			}
			else {
				started(started, ShardMap.of(list));
			}
		});
		return started;
	}

	/**
	 * Reads the shards for the start, again after a back-off while the failure may pass
	 * (throttling, a 5xx, a client-side error), until the setup timeout.
	 */
	private void readShards(CompletableFuture<List<Shard>> shards, long deadlineNanos, int attempt) {
		long remaining = deadlineNanos - this.scheduler.nanoTime();
		Futures
			.withTimeout(Futures.call(this::listShards), this.scheduler, Math.max(0, remaining),
					"ListShards of stream '" + this.streamName + "'")
			.whenComplete((list, error) -> {
				if (error == null) {
					shards.complete(list);
					return;
				}
				Throwable cause = AwsErrors.unwrap(error);
				boolean passing = AwsErrors.isRetryable(cause)
						|| !(cause instanceof AwsServiceException || cause instanceof TimeoutException);
				long delay = START_BACKOFF.delayNanos(attempt, this.scheduler.random());
				if (passing && this.lifecycle == Lifecycle.STARTING
						&& this.scheduler.nanoTime() + delay < deadlineNanos) {
					logger.debug("ListShards of stream '{}' failed ({}); trying again", this.streamName,
							cause.toString());
					this.scheduler.schedule(() -> readShards(shards, deadlineNanos, attempt + 1), delay);
				}
				else {
					shards.completeExceptionally(cause);
				}
			});
	}

	private void started(CompletableFuture<Void> started, ShardMap map) {
		synchronized (this) {
			if (this.lifecycle == Lifecycle.CLOSED) {
				started.completeExceptionally(closedException());
				return;
			}
			this.sender.applyShardMap(map);
			this.refresher.start();
			this.lifecycle = Lifecycle.RUNNING;
		}
		started.complete(null);
	}

	/** A failed start leaves the producer to be started again by the next put. */
	private void startFailed(CompletableFuture<Void> started, RuntimeException error) {
		synchronized (this) {
			if (this.lifecycle == Lifecycle.STARTING) {
				this.lifecycle = Lifecycle.NEW;
				this.starting = null;
			}
		}
		started.completeExceptionally(error);
	}

	private RuntimeException translate(Throwable cause) {
		if (cause instanceof ResourceNotFoundException) {
			return new StreamNotFoundException(this.streamName, this.client,
					"create it, or set ProducerOptions.createStream(true) for development", cause);
		}
		if (cause instanceof TimeoutException) {
			return new IllegalStateException("Stream '" + this.streamName + "' did not answer ListShards within "
					+ SETUP_TIMEOUT + "; check the client's endpoint and the network", cause);
		}
		return new IllegalStateException(
				"Could not read the shards of stream '" + this.streamName + "': " + cause.getMessage(), cause);
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

	/**
	 * Queues a record with a partition key from the {@link PartitionKeyStrategy} (random
	 * by default).
	 * @param payload the payload: {@code byte[]}, a {@code String}, or an object for the
	 * serializer
	 * @return a future completed with where Kinesis stored the record, or failed
	 * @throws IllegalStateException when the producer is closed or cannot start
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
	 * @throws IllegalStateException when the producer is closed or cannot start
	 */
	public CompletableFuture<PutResult> put(Object payload, String partitionKey) {
		Objects.requireNonNull(payload, "payload must not be null");
		if (this.lifecycle != Lifecycle.RUNNING) {
			checkNotClosed();
			start();
		}
		checkSending();
		byte[] data;
		try {
			data = this.serializer.serialize(payload);
		}
		catch (RuntimeException ex) {
			return refused(RecordLimits.SERIALIZATION_FAILED, ex);
		}
		PendingRecord record;
		try {
			String key = (partitionKey != null) ? partitionKey : this.partitionKeyStrategy.partitionKey(payload);
			RecordLimits.checkKey(key);
			// encoded once: for the size check and for the hash that routes the record
			byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
			int size = RecordLimits.check(data, keyBytes, this.recordLimit.maxRecordBytes());
			record = new PendingRecord(data, key, keyBytes, this.routedByShard, size, this.scheduler.nanoTime(),
					this.recordTtlNanos);
		}
		catch (RecordLimits.RecordRefusedException ex) {
			return refused(ex.errorType(), ex);
		}
		catch (RuntimeException ex) {
			return refused(RecordLimits.INVALID_PARTITION_KEY, ex);
		}
		enqueue(record);
		return record.future;
	}

	/**
	 * Queues a record, counted in {@link #outstanding} until its completion has run (see
	 * {@link #complete(List)}).
	 */
	private void enqueue(PendingRecord record) {
		this.outstanding.added(record);
		try {
			if (!this.sender.offer(record)) {
				this.metrics.increment(MetricType.PRODUCER_ERRORS, 1, errorLabels(RecordLimits.QUEUE_FULL));
				record.future.completeExceptionally(new ProducerQueueFullException("Producer queue of stream '"
						+ this.streamName + "' stayed full (" + this.options.maxQueueSize() + " records) for "
						+ this.options.queueFullTimeout() + "; the record was not queued. Kinesis is not keeping up: "
						+ "add shards, put more slowly, or raise max-queue-size / queue-full-timeout"));
				this.outstanding.settled(record);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			record.future.completeExceptionally(ex);
			this.outstanding.settled(record);
		}
		catch (IllegalStateException ex) {
			// never queued: its future is not returned
			this.outstanding.settled(record);
			checkSending();
			throw closedException();
		}
	}

	/**
	 * A record that never reaches the queue: counted in {@code producer_errors_total}
	 * with why, and failed with the clear message.
	 */
	private CompletableFuture<PutResult> refused(String errorType, RuntimeException ex) {
		this.metrics.increment(MetricType.PRODUCER_ERRORS, 1, errorLabels(errorType));
		return CompletableFuture.failedFuture(ex);
	}

	private Map<String, String> errorLabels(String errorType) {
		return Map.of(MetricLabels.STREAM_NAME, this.streamName, MetricLabels.ERROR_TYPE, errorType);
	}

	private void checkNotClosed() {
		if (this.lifecycle == Lifecycle.CLOSED) {
			throw closedException();
		}
	}

	private void checkSending() {
		BatchSender current = this.sender;
		if (current != null && current.state() == BatchSender.State.FAILED) {
			throw new IllegalStateException("KinesisProducer for stream '" + this.streamName + "' stopped sending ("
					+ current.failure() + "); close it and create a new producer to send more records");
		}
		checkNotClosed();
	}

	private IllegalStateException closedException() {
		return new IllegalStateException("KinesisProducer for stream '" + this.streamName
				+ "' is closed; create a new producer to send more records");
	}

	/**
	 * Sends everything queued so far without waiting for the buffer time.
	 * @return a future completed once every record queued before this call is accepted or
	 * failed
	 */
	public CompletableFuture<Void> flush() {
		BatchSender current;
		synchronized (this) {
			current = (this.lifecycle == Lifecycle.RUNNING) ? this.sender : null;
		}
		if (current != null) {
			current.flush();
		}
		return this.outstanding.whenSettled();
	}

	/**
	 * Sends what is queued, waiting at most {@link ProducerOptions#closeTimeout()}, then
	 * stops. Records still not sent then fail their futures. Later {@code put} calls
	 * throw {@link IllegalStateException}. Calling it again does nothing.
	 */
	@Override
	public void close() {
		CompletableFuture<Void> closed = closeAsync();
		long deadline = clockNanos() + this.options.closeTimeout().toNanos();
		try {
			// the close timeout fails what is left on the scheduler; this wait is a
			// backstop
			closed.get(this.options.closeTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			stopSender("the producer was closed (interrupted) before the record could be sent");
		}
		catch (ExecutionException | TimeoutException ex) {
			stopSender("the producer was closed before the record could be sent");
		}
		awaitCompletions(deadline - clockNanos());
		Scheduler own;
		synchronized (this) {
			own = (this.givenScheduler == null) ? this.scheduler : null;
		}
		if (own != null) {
			own.close();
		}
	}

	private long clockNanos() {
		Scheduler current = this.scheduler;
		return (current != null) ? current.nanoTime() : 0;
	}

	/**
	 * Closes without waiting: the future completes once what was queued is sent or, after
	 * {@link ProducerOptions#closeTimeout()}, failed. Records in calls still in flight
	 * then complete when their calls settle (retries fail). The scheduler of the
	 * producer's own is left running; {@link #close()} stops it.
	 * @return the close's future; the same one on every call
	 */
	public CompletableFuture<Void> closeAsync() {
		BatchSender current;
		synchronized (this) {
			if (this.closing != null) {
				return this.closing;
			}
			Lifecycle was = this.lifecycle;
			this.lifecycle = Lifecycle.CLOSED;
			if (was != Lifecycle.RUNNING) {
				// never started, or starting: nothing is queued; a start under way fails
				this.closing = CompletableFuture.completedFuture(null);
				if (this.refresher != null) {
					this.refresher.close();
				}
				return this.closing;
			}
			current = this.sender;
			this.closing = new CompletableFuture<>();
		}
		CompletableFuture<Void> closed = this.closing;
		Scheduler.Cancellable timeout = this.scheduler
			.schedule(() -> current.stop("the producer was closed before the record could be sent (close timeout "
					+ this.options.closeTimeout() + ")"), this.options.closeTimeout().toNanos());
		current.drain().whenComplete((ignored, error) -> {
			timeout.cancel();
			this.refresher.close();
			// closed once the records failed by the close timeout know it
			current.stop("the producer was closed").whenComplete((done, failure) -> closed.complete(null));
		});
		return closed;
	}

	private void stopSender(String reason) {
		BatchSender current;
		synchronized (this) {
			current = this.sender;
		}
		if (current != null) {
			current.stop(reason);
		}
	}

	/**
	 * Waits, within what is left of the close timeout, until the futures of the records
	 * sent are completed on the callback executor, then shuts down the producer's own
	 * one; completions after that run where their call settled. Not from one of this
	 * producer's callbacks, which would wait for itself.
	 */
	private void awaitCompletions(long remainingNanos) {
		if (COMPLETING.get() != this && remainingNanos > 0) {
			try {
				this.outstanding.whenSettled().get(remainingNanos, TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (ExecutionException | TimeoutException ex) {
				// one still in flight completes later
			}
		}
		ForkJoinPool own;
		synchronized (this) {
			own = this.ownCallbackExecutor;
		}
		if (own != null) {
			own.shutdown();
		}
	}

	/**
	 * Completes futures on the callback executor, so that no user code runs on the
	 * producer's timer or on the SDK's threads; called with no lock held and after the
	 * call's in-flight slot is freed. Once the executor refuses (the producer closed),
	 * they complete here.
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
				// after the futures are completed, so that a flush that waits for them
				// completes after them; once per call, not per record
				this.outstanding.settled(completions);
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

	private enum Lifecycle {

		NEW, STARTING, RUNNING, CLOSED

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

		private Scheduler scheduler;

		private int scanLimit = BatchAssembler.SCAN_LIMIT;

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
		 * Where time, timers and jitter come from (default a {@link SystemScheduler} of
		 * the producer's own, with one timer thread, stopped by {@code close}). A given
		 * one is not closed by the producer.
		 * @param scheduler the scheduler
		 * @return this builder
		 */
		public Builder scheduler(Scheduler scheduler) {
			this.scheduler = scheduler;
			return this;
		}

		/**
		 * For tests: how many records a pass looks at per queue (default
		 * {@link BatchAssembler#SCAN_LIMIT}), so that a simulation reaches the limit.
		 * @param scanLimit the most records, at least 1
		 * @return this builder
		 */
		Builder scanLimit(int scanLimit) {
			if (scanLimit < 1) {
				throw new IllegalArgumentException("scanLimit must be at least 1, was " + scanLimit);
			}
			this.scanLimit = scanLimit;
			return this;
		}

		/**
		 * Builds the producer, without I/O and without starting a thread: it reads the
		 * stream on {@link KinesisProducer#start()} or its first {@code put}.
		 * @return the producer
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

}
