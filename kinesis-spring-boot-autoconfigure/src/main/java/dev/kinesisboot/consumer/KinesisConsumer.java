package dev.kinesisboot.consumer;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.metrics.KinesisMetrics;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.record.RecordExpander;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Scheduler;
import dev.kinesisboot.support.StreamNotFoundException;
import dev.kinesisboot.support.Streams;
import dev.kinesisboot.support.SystemScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/**
 * Reads one Kinesis stream: finds its shards, takes their leases through the
 * {@link Checkpointer}, runs a fetch loop per owned shard, hands records to a handler or
 * to {@link #poll(Duration)}, and checkpoints only what was handled. A shard's children
 * start once their parents (both, for a merge) were read to their end, so records of a
 * partition key stay in order across resharding.
 *
 * <pre>{@code
 * KinesisConsumer consumer = KinesisConsumer.builder(kinesisAsyncClient)
 *     .streamName("orders")
 *     .options(ConsumerOptions.builder().initialPosition(InitialPosition.TRIM_HORIZON).build())
 *     .build();
 * consumer.start((KinesisRecord<byte[]> record) -> System.out.println(record.dataAsString()));
 * ...
 * consumer.close();   // stops reading, waits for handlers, checkpoints, releases the leases
 * }</pre>
 *
 * <p>
 * The consumer is a facade over parts with one job each: a {@link LeaseBalancer} (leases
 * and the readers they cover), a {@link ShardDirectory} (shards and their parents), one
 * {@link ShardReader} per held shard (the fetch loop, over a {@link PollingSource} or a
 * {@link FanOutSource}), and a {@link Dispatcher} (handlers with retry and back-pressure,
 * or the {@link #poll} hand-off). Fetch loops are chains of asynchronous calls and
 * timers, not threads: a consumer uses one timer thread (its {@link Scheduler}) and
 * {@link ConsumerOptions#handlerThreads()} handler threads, however many shards it reads.
 * Both may be given to the builder instead. Read errors (throttling, network, timeouts)
 * back off and retry for ever, logged and counted; an expired iterator is replaced from
 * the last handled record.
 * <p>
 * With {@link ConsumerMode#FAN_OUT} the consumer registers (or reuses) a stream consumer
 * when it starts and reads each owned shard over a SubscribeToShard subscription instead
 * of GetRecords; leases, checkpoints, resharding and handlers work the same.
 * <p>
 * Thread-safe, except that {@link #poll(Duration)} and {@link #iterator()} are meant for
 * one thread at a time.
 */
public final class KinesisConsumer implements AutoCloseable, Iterable<KinesisRecord<byte[]>> {

	private static final Logger logger = LoggerFactory.getLogger(KinesisConsumer.class);

	private final KinesisAsyncClient client;

	private final String streamName;

	private final String streamArn;

	private final ConsumerOptions options;

	private final Checkpointer checkpointer;

	private final MetricsCollector metrics;

	private final RecordExpander recordExpander;

	private final ConsumerErrorHandler errorHandler;

	private final Scheduler givenScheduler;

	private final Executor givenHandlerExecutor;

	private final StreamConsumerRegistrar fanOut;

	private final Object lifecycle = new Object();

	private final ShardProgress progress = new ShardProgress();

	private final ReadGate gate = new ReadGate();

	private volatile Mode mode = Mode.NOT_STARTED;

	private volatile boolean closing;

	private Scheduler scheduler;

	private ExecutorService ownedHandlerExecutor;

	private ShardDirectory directory;

	private LeaseBalancer balancer;

	private Dispatcher dispatcher;

	private PollHandoff handoff;

	private String fanOutConsumerArn;

	private CompletableFuture<Void> closed;

	private KinesisConsumer(Builder builder) {
		this.client = builder.client;
		this.streamArn = builder.streamArn;
		this.streamName = (builder.streamName != null) ? builder.streamName : Streams.nameOf(builder.streamArn);
		this.options = builder.options;
		this.metrics = KinesisMetrics.orDefault(builder.metricsCollector);
		this.checkpointer = (builder.checkpointer != null) ? builder.checkpointer
				: new MemoryCheckpointer(CheckpointerSettings.of(builder.applicationName, this.streamName));
		this.recordExpander = builder.recordExpander;
		this.errorHandler = builder.errorHandler;
		this.givenScheduler = builder.scheduler;
		this.givenHandlerExecutor = builder.handlerExecutor;
		this.fanOut = new StreamConsumerRegistrar(this.client, this.streamName);
	}

	/**
	 * Starts building a consumer.
	 * @param client the Kinesis client; the consumer does not close it
	 * @return a builder
	 */
	public static Builder builder(KinesisAsyncClient client) {
		return new Builder(client);
	}

	/**
	 * Starts reading, handing every record to the handler, one at a time per shard.
	 * @param handler the record handler
	 * @throws IllegalStateException when already started or the stream does not exist
	 */
	public void start(RecordHandler handler) {
		Objects.requireNonNull(handler, "handler");
		begin(Mode.RECORD,
				(context, executor) -> HandlerDispatcher.forRecords(context, handler, this.errorHandler, executor));
	}

	/**
	 * Starts reading, handing each GetRecords batch of a shard to the handler at once.
	 * @param handler the batch handler
	 * @throws IllegalStateException when already started or the stream does not exist
	 */
	public void startBatch(BatchHandler handler) {
		Objects.requireNonNull(handler, "handler");
		begin(Mode.BATCH,
				(context, executor) -> HandlerDispatcher.forBatches(context, handler, this.errorHandler, executor));
	}

	/**
	 * Returns the next records, waiting up to the timeout; the first call starts the
	 * consumer. Calling it again marks the records it returned before as handled (so they
	 * may be checkpointed): records are handed out at least once. Records of a shard this
	 * consumer stopped reading (its lease was lost or handed over) are not returned.
	 * @param timeout how long to wait for records
	 * @return the records, in order per shard; empty when none came in time or the
	 * consumer closed
	 */
	public synchronized List<KinesisRecord<byte[]>> poll(Duration timeout) {
		if (this.mode == Mode.NOT_STARTED) {
			begin(Mode.POLL, (context, executor) -> {
				this.handoff = new PollHandoff(context);
				return this.handoff;
			});
		}
		if (this.mode != Mode.POLL) {
			throw new IllegalStateException("This consumer was started with a handler; poll() is not available");
		}
		if (this.closing) {
			return List.of();
		}
		return this.handoff.poll(timeout);
	}

	/**
	 * The records as an endless iterator over {@link #poll(Duration)}: {@code hasNext()}
	 * waits for the next record and returns {@code false} once the consumer is closed.
	 * Taking the next batch marks the previous one handled.
	 * @return the iterator
	 */
	@Override
	public Iterator<KinesisRecord<byte[]>> iterator() {
		return new Iterator<>() {

			private Iterator<KinesisRecord<byte[]>> current = List.<KinesisRecord<byte[]>>of().iterator();

			@Override
			public boolean hasNext() {
				while (!this.current.hasNext()) {
					if (KinesisConsumer.this.closing) {
						return false;
					}
					this.current = poll(Duration.ofMillis(500)).iterator();
				}
				return true;
			}

			@Override
			public KinesisRecord<byte[]> next() {
				if (!hasNext()) {
					throw new NoSuchElementException("consumer closed");
				}
				return this.current.next();
			}

		};
	}

	/**
	 * Marks every record of the record's shard up to this one handled and writes that
	 * checkpoint now. With {@link CheckpointMode#MANUAL} this is the only way positions
	 * get written; with {@link CheckpointMode#AUTO} it writes earlier than the consumer
	 * would. When this consumer no longer holds the shard (its lease moved), nothing is
	 * written: the shard's new owner reads the records again. Never fails for a lost
	 * lease or a store error (a failed write is logged and the position written later).
	 * @param record a record this consumer handed out
	 * @return completes when written, or at once when there is nothing to write
	 */
	public CompletableFuture<Void> acknowledge(KinesisRecord<?> record) {
		LeaseBalancer current = this.balancer;
		ShardReader reader = (current != null) ? current.reader(record.shardId()) : null;
		if (reader == null) {
			logger.debug("Acknowledgement of {} ignored: this consumer no longer reads shard {}", record,
					record.shardId());
			return CompletableFuture.completedFuture(null);
		}
		return reader.acknowledge(
				new dev.kinesisboot.checkpoint.Checkpoint(record.sequenceNumber(), record.subSequenceNumber()));
	}

	/**
	 * The stream this consumer reads.
	 * @return the stream name
	 */
	public String streamName() {
		return this.streamName;
	}

	/**
	 * The checkpointer: where leases and checkpoints are stored.
	 * @return the checkpointer
	 */
	public Checkpointer checkpointer() {
		return this.checkpointer;
	}

	/**
	 * The options in use.
	 * @return the options
	 */
	public ConsumerOptions options() {
		return this.options;
	}

	/**
	 * Whether the consumer was started and not closed.
	 * @return {@code true} while running
	 */
	public boolean isRunning() {
		return this.mode != Mode.NOT_STARTED && !this.closing;
	}

	/**
	 * Stops fetching records from now on while keeping the leases: the shards stay this
	 * worker's, records already fetched are still handled, and {@link #resume()} goes on
	 * where reading stopped. Lease renewals and checkpoints go on meanwhile.
	 */
	public void pause() {
		this.gate.pause();
	}

	/**
	 * Fetches again after {@link #pause()}.
	 */
	public void resume() {
		this.gate.resume();
	}

	/**
	 * Whether the consumer is paused.
	 * @return {@code true} between {@link #pause()} and {@link #resume()}
	 */
	public boolean isPaused() {
		return this.gate.isPaused();
	}

	/**
	 * The shards this consumer reads now.
	 * @return one status per owned shard, by shard id
	 */
	public List<ShardStatus> status() {
		LeaseBalancer current = this.balancer;
		if (current == null) {
			return List.of();
		}
		return current.readers()
			.stream()
			.map(ShardReader::status)
			.sorted(Comparator.comparing(ShardStatus::shardId))
			.toList();
	}

	/**
	 * When this consumer last saw the lease store lose leases it held before (a store
	 * restarted without persistence, failed over or re-created). From then on it starts
	 * shards without a checkpoint at their oldest record.
	 * @return the instant, or empty when never
	 */
	public Optional<Instant> leaseStoreResetAt() {
		return Optional.ofNullable(this.progress.storeResetAt());
	}

	/**
	 * The shards of the stream the consumer knows of, open and closed.
	 * @return shard ids
	 */
	public Set<String> knownShards() {
		ShardDirectory current = this.directory;
		return (current != null) ? new TreeSet<>(current.shards().keySet()) : Set.of();
	}

	/**
	 * Stops reading, waits up to {@link ConsumerOptions#shutdownTimeout()} for running
	 * handlers, writes the checkpoints of what was handled (or, in
	 * {@link CheckpointMode#MANUAL}, acknowledged), and releases the leases so other
	 * workers take the shards at once. Calling it again does nothing.
	 */
	@Override
	public void close() {
		CompletableFuture<Void> done = closeAsync();
		try {
			// the parts bound every step; this is a last resort
			done.get(this.options.shutdownTimeout().toNanos() * 2 + TimeUnit.MINUTES.toNanos(1), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			logger.warn("Consumer of stream '{}' did not close in time", this.streamName);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			logger.warn("Error while closing the consumer of stream '{}'", this.streamName, ex);
		}
	}

	/**
	 * {@link #close()} without waiting: the future completes once the consumer closed.
	 * @return completes when closed; never fails
	 */
	public CompletableFuture<Void> closeAsync() {
		synchronized (this.lifecycle) {
			if (this.closed != null) {
				return this.closed;
			}
			this.closing = true;
			if (this.mode == Mode.NOT_STARTED) {
				this.closed = CompletableFuture.completedFuture(null);
				return this.closed;
			}
			this.closed = this.balancer.closeAsync(this.dispatcher::close).handle((ok, error) -> {
				if (error != null) {
					logger.warn("Consumer of stream '{}': {}", this.streamName, AwsErrors.unwrap(error).toString());
				}
				shutDownThreads();
				if (this.fanOutConsumerArn != null && this.options.deregisterOnClose()) {
					this.fanOut.deregister(this.fanOutConsumerArn);
				}
				logger.info("Consumer of stream '{}' closed", this.streamName);
				return null;
			});
			return this.closed;
		}
	}

	/**
	 * Stops at once, as if the process had died: no final checkpoint and no release, so
	 * other workers take the shards only once the leases expire. For tests.
	 */
	void haltForTesting() {
		synchronized (this.lifecycle) {
			if (this.closed != null) {
				return;
			}
			this.closing = true;
			this.closed = CompletableFuture.completedFuture(null);
			if (this.mode == Mode.NOT_STARTED) {
				return;
			}
		}
		this.balancer.halt();
		this.dispatcher.close();
		shutDownThreads();
		logger.info("Consumer of stream '{}' halted without releasing its leases", this.streamName);
	}

	private void shutDownThreads() {
		if (this.givenScheduler == null) {
			this.scheduler.close();
		}
		if (this.ownedHandlerExecutor != null) {
			this.ownedHandlerExecutor.shutdownNow();
		}
	}

	private void begin(Mode newMode, DispatcherFactory dispatchers) {
		synchronized (this.lifecycle) {
			if (this.closing) {
				throw new IllegalStateException("Consumer of stream '" + this.streamName + "' is closed");
			}
			if (this.mode != Mode.NOT_STARTED) {
				throw new IllegalStateException("Consumer of stream '" + this.streamName + "' is already started");
			}
			String arn = checkStreamExists();
			this.checkpointer.bindMetrics(this.metrics, dev.kinesisboot.metrics.MetricLabels.stream(this.streamName));
			if (this.options.mode() == ConsumerMode.FAN_OUT && arn == null) {
				throw new IllegalStateException("Fan-out needs the ARN of stream '" + this.streamName
						+ "' and DescribeStreamSummary did not return it; give the consumer the stream ARN");
			}
			this.scheduler = (this.givenScheduler != null) ? this.givenScheduler
					: new SystemScheduler("kinesis-consumer-" + this.streamName + "-timer");
			if (this.options.mode() == ConsumerMode.FAN_OUT) {
				this.fanOutConsumerArn = registerFanOutConsumer(arn);
			}
			Executor handlerExecutor = this.givenHandlerExecutor;
			if (handlerExecutor == null && newMode != Mode.POLL) {
				this.ownedHandlerExecutor = Executors.newFixedThreadPool(this.options.handlerThreads(),
						SystemScheduler.daemon("kinesis-consumer-" + this.streamName + "-handler"));
				handlerExecutor = this.ownedHandlerExecutor;
			}
			StreamContext context = new StreamContext(this.streamName, this.streamArn, this.client, this.options,
					this.metrics, this.scheduler, this.recordExpander, this.gate);
			LeaseTiming timing = LeaseTiming.of(this.checkpointer.leaseDuration());
			this.dispatcher = dispatchers.create(context, handlerExecutor);
			this.directory = new ShardDirectory(context);
			ShardDirectory shards = this.directory;
			String consumerArn = this.fanOutConsumerArn;
			Dispatcher records = this.dispatcher;
			this.balancer = new LeaseBalancer(context, this.checkpointer, shards, timing,
					(shardId) -> newReader(context, shardId, records, timing, consumerArn), this.progress);
			this.mode = newMode;
			this.balancer.start();
			logger.info("Consumer of stream '{}' started as worker {}", this.streamName, this.checkpointer.workerId());
		}
	}

	private ShardReader newReader(StreamContext context, String shardId, Dispatcher records, LeaseTiming timing,
			String consumerArn) {
		ShardDirectory shards = this.directory;
		boolean fromOldest = shards.hasListedParent(shardId) || this.progress.storeResetAt() != null;
		return new ShardReader(context, shardId, this.checkpointer, records,
				new ShardPositions(this.options, fromOldest),
				(positions) -> (consumerArn != null)
						? new FanOutSource(context, shardId, positions, consumerArn, () -> shards.isClosed(shardId))
						: new PollingSource(context, shardId, positions, this.balancer::heldCount),
				timing, this.progress, () -> {
					shards.requestRefresh();
					this.balancer.requestCycle();
				});
	}

	private String registerFanOutConsumer(String streamArn) {
		try {
			return this.fanOut.register(this.scheduler, streamArn, fanOutConsumerName()).join();
		}
		catch (RuntimeException ex) {
			if (this.givenScheduler == null) {
				this.scheduler.close();
			}
			Throwable cause = (ex instanceof CompletionException) ? ex.getCause() : ex;
			throw (cause instanceof RuntimeException runtime) ? runtime : ex;
		}
	}

	/**
	 * Fails unless the stream exists.
	 * @return the stream's ARN, or {@code null} when Kinesis did not say and none was
	 * given
	 */
	private String checkStreamExists() {
		try {
			var summary = this.client.describeStreamSummary((request) -> {
				if (this.streamArn != null) {
					request.streamARN(this.streamArn);
				}
				else {
					request.streamName(this.streamName);
				}
			}).join().streamDescriptionSummary();
			return (summary != null && summary.streamARN() != null) ? summary.streamARN() : this.streamArn;
		}
		catch (RuntimeException ex) {
			Throwable cause = AwsErrors.unwrap(ex);
			if (cause instanceof ResourceNotFoundException) {
				throw new StreamNotFoundException(this.streamName, this.client, "create it before the consumer starts",
						cause);
			}
			throw new IllegalStateException("Could not describe stream '" + this.streamName + "': " + cause.getMessage()
					+ "; check the endpoint, region and credentials", cause);
		}
	}

	private String fanOutConsumerName() {
		return (this.options.fanOutConsumerName() != null) ? this.options.fanOutConsumerName()
				: this.checkpointer.applicationName();
	}

	@FunctionalInterface
	private interface DispatcherFactory {

		Dispatcher create(StreamContext context, Executor handlerExecutor);

	}

	private enum Mode {

		NOT_STARTED, RECORD, BATCH, POLL

	}

	/**
	 * Builds a {@link KinesisConsumer}. Not thread-safe.
	 */
	public static final class Builder {

		private final KinesisAsyncClient client;

		private String streamName;

		private String streamArn;

		private String applicationName = "default";

		private ConsumerOptions options = ConsumerOptions.defaults();

		private Checkpointer checkpointer;

		private MetricsCollector metricsCollector;

		private RecordExpander recordExpander = new dev.kinesisboot.aggregation.RecordDeaggregator();

		private ConsumerErrorHandler errorHandler = ConsumerErrorHandler.retryForever();

		private Scheduler scheduler;

		private Executor handlerExecutor;

		private Builder(KinesisAsyncClient client) {
			this.client = Objects.requireNonNull(client, "client");
		}

		/**
		 * The stream to read, by name.
		 * @param streamName the name
		 * @return this builder
		 */
		public Builder streamName(String streamName) {
			this.streamName = streamName;
			return this;
		}

		/**
		 * The stream to read, by ARN.
		 * @param streamArn the ARN
		 * @return this builder
		 */
		public Builder streamArn(String streamArn) {
			this.streamArn = streamArn;
			return this;
		}

		/**
		 * The consumer group, used when no checkpointer is given (default
		 * {@code default}).
		 * @param applicationName the group name
		 * @return this builder
		 */
		public Builder applicationName(String applicationName) {
			this.applicationName = Objects.requireNonNull(applicationName, "applicationName");
			return this;
		}

		/**
		 * The options (default {@link ConsumerOptions#defaults()}).
		 * @param options the options
		 * @return this builder
		 */
		public Builder options(ConsumerOptions options) {
			this.options = Objects.requireNonNull(options, "options");
			return this;
		}

		/**
		 * Where leases and checkpoints live (default a {@link MemoryCheckpointer} of its
		 * own).
		 * @param checkpointer the checkpointer, for this stream
		 * @return this builder
		 */
		public Builder checkpointer(Checkpointer checkpointer) {
			this.checkpointer = checkpointer;
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
		 * How Kinesis records become user records (default: a
		 * {@link dev.kinesisboot.aggregation.RecordDeaggregator}, which unpacks KPL
		 * aggregated records and hands plain ones over as they are).
		 * @param recordExpander the expander
		 * @return this builder
		 */
		public Builder recordExpander(RecordExpander recordExpander) {
			this.recordExpander = Objects.requireNonNull(recordExpander, "recordExpander");
			return this;
		}

		/**
		 * What happens when a handler throws (default: retry for ever with back-off).
		 * @param errorHandler the error handler
		 * @return this builder
		 */
		public Builder errorHandler(ConsumerErrorHandler errorHandler) {
			this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
			return this;
		}

		/**
		 * Where the consumer's parts get time, timers and jitter (default: a
		 * {@link SystemScheduler} of its own, closed with the consumer). A given one is
		 * not closed by the consumer.
		 * @param scheduler the scheduler
		 * @return this builder
		 */
		public Builder scheduler(Scheduler scheduler) {
			this.scheduler = scheduler;
			return this;
		}

		/**
		 * Where handlers run (default: a pool of {@link ConsumerOptions#handlerThreads()}
		 * threads of its own, shut down with the consumer). A given one is not shut down
		 * by the consumer.
		 * @param handlerExecutor the executor
		 * @return this builder
		 */
		public Builder handlerExecutor(Executor handlerExecutor) {
			this.handlerExecutor = handlerExecutor;
			return this;
		}

		/**
		 * Builds the consumer; {@code start}, {@code startBatch} or {@code poll} starts
		 * it.
		 * @return the consumer
		 */
		public KinesisConsumer build() {
			if ((this.streamName == null) == (this.streamArn == null)) {
				throw new IllegalArgumentException("Set exactly one of streamName and streamArn");
			}
			if (this.checkpointer != null && this.streamName != null
					&& !this.checkpointer.streamName().equals(this.streamName)) {
				throw new IllegalArgumentException("The checkpointer keeps stream '" + this.checkpointer.streamName()
						+ "', not '" + this.streamName + "'; give each stream its own checkpointer");
			}
			return new KinesisConsumer(this);
		}

	}

}
