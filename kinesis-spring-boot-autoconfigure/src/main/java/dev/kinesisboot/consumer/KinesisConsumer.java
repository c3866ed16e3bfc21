package dev.kinesisboot.consumer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.metrics.KinesisMetrics;
import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Backoff;
import dev.kinesisboot.support.StreamNotFoundException;
import dev.kinesisboot.support.Streams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;

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
 * Fetch loops are chains of asynchronous calls and timers, not threads: a consumer uses
 * one timer thread, one lease thread and {@link ConsumerOptions#handlerThreads()} handler
 * threads, however many shards it reads. Read errors (throttling, network, timeouts) back
 * off and retry for ever, logged and counted; an expired iterator is replaced from the
 * last handled record.
 * <p>
 * With {@link ConsumerMode#FAN_OUT} the consumer registers (or reuses) a stream consumer
 * when it starts and reads each owned shard over a SubscribeToShard subscription instead
 * of GetRecords; leases, checkpoints, resharding and handlers work the same.
 * <p>
 * Thread-safe, except that {@link #poll(Duration)} and {@link #iterator()} are meant for
 * one thread at a time.
 */
public final class KinesisConsumer implements AutoCloseable, Iterable<KinesisRecord<byte[]>> {

	static final String LEASE_LOST = "lease_lost";

	private static final Logger logger = LoggerFactory.getLogger(KinesisConsumer.class);

	private static final int MAX_POLL_RECORDS = 1000;

	private final KinesisAsyncClient client;

	private final String streamName;

	private final String streamArn;

	private final ConsumerOptions options;

	private final Checkpointer checkpointer;

	private final MetricsCollector metrics;

	private final RecordExpander recordExpander;

	private final ConsumerErrorHandler errorHandler;

	private final Backoff errorBackoff;

	private final Backoff handlerBackoff;

	private final Map<String, String> streamLabels;

	private final Map<String, ShardReader> readers = new ConcurrentHashMap<>();

	private final AtomicInteger queued = new AtomicInteger();

	private final BlockingQueue<Delivery> handoff = new LinkedBlockingQueue<>();

	private final AtomicBoolean cycleRequested = new AtomicBoolean();

	private final Map<String, CompletableFuture<Void>> releasing = new ConcurrentHashMap<>();

	private final Object lifecycle = new Object();

	private ScheduledExecutorService scheduler;

	private ScheduledExecutorService coordinator;

	private ExecutorService handlerExecutor;

	private final StreamConsumerRegistrar fanOut;

	private volatile String fanOutConsumerArn;

	private volatile Mode mode = Mode.NOT_STARTED;

	private volatile boolean closing;

	private volatile boolean refreshRequested = true;

	private volatile Map<String, Shard> shards = Map.of();

	private volatile Set<String> knownShardIds;

	private long nextRefreshNanos;

	private RecordHandler recordHandler;

	private BatchHandler batchHandler;

	private List<Delivery> polled = List.of();

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
		this.errorBackoff = new Backoff(this.options.errorBackoffBase(), this.options.errorBackoffMax());
		this.handlerBackoff = new Backoff(this.options.handlerRetryBackoffBase(),
				this.options.handlerRetryBackoffMax());
		this.streamLabels = MetricLabels.stream(this.streamName);
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
		this.recordHandler = Objects.requireNonNull(handler, "handler");
		begin(Mode.RECORD);
	}

	/**
	 * Starts reading, handing each GetRecords batch of a shard to the handler at once.
	 * @param handler the batch handler
	 * @throws IllegalStateException when already started or the stream does not exist
	 */
	public void startBatch(BatchHandler handler) {
		this.batchHandler = Objects.requireNonNull(handler, "handler");
		begin(Mode.BATCH);
	}

	/**
	 * Returns the next records, waiting up to the timeout; the first call starts the
	 * consumer. Calling it again marks the records it returned before as handled (so they
	 * may be checkpointed): records are handed out at least once.
	 * @param timeout how long to wait for records
	 * @return the records, in order per shard; empty when none came in time or the
	 * consumer closed
	 */
	public synchronized List<KinesisRecord<byte[]>> poll(Duration timeout) {
		if (this.mode == Mode.NOT_STARTED) {
			begin(Mode.POLL);
		}
		if (this.mode != Mode.POLL) {
			throw new IllegalStateException("This consumer was started with a handler; poll() is not available");
		}
		this.polled.forEach((delivery) -> delivery.tracker().acknowledge(this));
		this.polled = List.of();
		if (this.closing) {
			return List.of();
		}
		try {
			Delivery first = this.handoff.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
			if (first == null) {
				return List.of();
			}
			List<Delivery> batch = new ArrayList<>();
			batch.add(first);
			this.handoff.drainTo(batch, MAX_POLL_RECORDS - 1);
			this.polled = batch;
			return batch.stream().map(Delivery::record).toList();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return List.of();
		}
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
	 * The stream this consumer reads.
	 * @return the stream name
	 */
	public String streamName() {
		return this.streamName;
	}

	/**
	 * The checkpointer, for {@code manualCheckpoint()} in manual mode.
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
	 * The shards this consumer reads now.
	 * @return one status per owned shard, by shard id
	 */
	public List<ShardStatus> status() {
		return this.readers.values()
			.stream()
			.map(ShardReader::status)
			.sorted(Comparator.comparing(ShardStatus::shardId))
			.toList();
	}

	/**
	 * The shards of the stream the consumer knows of, open and closed.
	 * @return shard ids
	 */
	public Set<String> knownShards() {
		return new TreeSet<>(this.shards.keySet());
	}

	/**
	 * Stops reading, waits up to {@link ConsumerOptions#shutdownTimeout()} for running
	 * handlers, writes the checkpoints of what was handled (flushing manual checkpoints
	 * too), and releases the leases so other workers take the shards at once. Calling it
	 * again does nothing.
	 */
	@Override
	public void close() {
		synchronized (this.lifecycle) {
			if (this.closing || this.mode == Mode.NOT_STARTED) {
				this.closing = true;
				return;
			}
			this.closing = true;
		}
		awaitCycle();
		List<ShardReader> owned = new ArrayList<>(this.readers.values());
		owned.forEach((reader) -> reader.stop(ShardStatus.State.STOPPED));
		CompletableFuture<Void> stopped = CompletableFuture
			.allOf(owned.stream().map(ShardReader::whenStopped).toArray(CompletableFuture[]::new));
		try {
			stopped.get(this.options.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			logger.warn("Handlers of stream '{}' still running after {}; closing anyway (their records are not "
					+ "checkpointed and will be read again)", this.streamName, this.options.shutdownTimeout());
		}
		catch (Exception ex) {
			logger.warn("Error while stopping the consumer of stream '{}'", this.streamName, ex);
		}
		List<CompletableFuture<Void>> releases = new ArrayList<>();
		for (ShardReader reader : owned) {
			releases.add(reader.flushCheckpoint()
				.thenCompose((ignored) -> this.checkpointer.releaseLease(reader.shardId()))
				.exceptionally((error) -> {
					logger.warn("Could not release the lease of shard {}: {}", reader.shardId(), error.toString());
					return null;
				}));
		}
		// shards being handed over to other workers
		releases.addAll(this.releasing.values());
		awaitQuietly(CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new)));
		if (!this.checkpointer.isAutoCheckpoint()) {
			awaitQuietly(this.checkpointer.manualCheckpoint());
		}
		this.readers.clear();
		this.scheduler.shutdownNow();
		this.coordinator.shutdownNow();
		if (this.handlerExecutor != null) {
			this.handlerExecutor.shutdownNow();
		}
		if (this.fanOutConsumerArn != null && this.options.deregisterOnClose()) {
			this.fanOut.deregister(this.fanOutConsumerArn);
		}
		logger.info("Consumer of stream '{}' closed", this.streamName);
	}

	/**
	 * Waits until a lease cycle that is running ends, so that no shard starts after
	 * {@link #close()} took the list of shards to release.
	 */
	private void awaitCycle() {
		try {
			this.coordinator.submit(() -> {
			}).get(this.options.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			logger.warn("Lease cycle of stream '{}' still running while closing: {}", this.streamName, ex.toString());
		}
	}

	/**
	 * Stops at once, as if the process had died: no final checkpoint and no release, so
	 * other workers take the shards only once the leases expire. For tests.
	 */
	void haltForTesting() {
		synchronized (this.lifecycle) {
			if (this.closing || this.mode == Mode.NOT_STARTED) {
				this.closing = true;
				return;
			}
			this.closing = true;
		}
		this.scheduler.shutdownNow();
		this.coordinator.shutdownNow();
		if (this.handlerExecutor != null) {
			this.handlerExecutor.shutdownNow();
		}
		this.readers.values().forEach((reader) -> reader.stop(ShardStatus.State.STOPPED));
		this.readers.clear();
		logger.info("Consumer of stream '{}' halted without releasing its leases", this.streamName);
	}

	private void awaitQuietly(CompletableFuture<?> future) {
		try {
			future.get(this.options.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			logger.warn("Consumer of stream '{}': {}", this.streamName, AwsErrors.unwrap(ex).toString());
		}
	}

	private void begin(Mode newMode) {
		synchronized (this.lifecycle) {
			if (this.closing) {
				throw new IllegalStateException("Consumer of stream '" + this.streamName + "' is closed");
			}
			if (this.mode != Mode.NOT_STARTED) {
				throw new IllegalStateException("Consumer of stream '" + this.streamName + "' is already started");
			}
			String streamArn = checkStreamExists();
			this.checkpointer.bindMetrics(this.metrics, this.streamLabels);
			if (this.options.mode() == ConsumerMode.FAN_OUT) {
				if (streamArn == null) {
					throw new IllegalStateException("Fan-out needs the ARN of stream '" + this.streamName
							+ "' and DescribeStreamSummary did not return it; give the consumer the stream ARN");
				}
				this.fanOutConsumerArn = this.fanOut.register(streamArn, fanOutConsumerName());
			}
			ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, threads("timer"));
			// fan-out reads arm a timeout each and cancel it when an event comes
			timer.setRemoveOnCancelPolicy(true);
			this.scheduler = timer;
			this.coordinator = Executors.newSingleThreadScheduledExecutor(threads("leases"));
			if (newMode != Mode.POLL) {
				this.handlerExecutor = Executors.newFixedThreadPool(this.options.handlerThreads(), threads("handler"));
			}
			this.mode = newMode;
			this.metrics.gauge(MetricType.CONSUMER_QUEUE_SIZE, 0, this.streamLabels);
			long interval = Math.max(TimeUnit.MILLISECONDS.toNanos(100),
					this.checkpointer.leaseDuration().toNanos() / 3);
			// on the lease thread itself, so the delay counts from the end of a cycle: a
			// slow cycle is never followed at once by a queued one (which could take a
			// second lease before the other workers saw the first move)
			this.coordinator.scheduleWithFixedDelay(this::cycle, 0, interval, TimeUnit.NANOSECONDS);
			logger.info("Consumer of stream '{}' started as worker {}", this.streamName, this.checkpointer.workerId());
		}
	}

	/**
	 * Fails unless the stream exists.
	 * @return the stream's ARN, or {@code null} when Kinesis did not say and none was
	 * given
	 */
	private String checkStreamExists() {
		try {
			var summary = this.client
				.describeStreamSummary((request) -> target(request::streamName, request::streamARN))
				.join()
				.streamDescriptionSummary();
			return (summary != null && summary.streamARN() != null) ? summary.streamARN() : this.streamArn;
		}
		catch (RuntimeException ex) {
			Throwable cause = AwsErrors.unwrap(ex);
			if (cause instanceof ResourceNotFoundException) {
				throw new StreamNotFoundException(this.streamName, this.client,
						"create it, or set kinesis.consumer.create-stream=true for development", cause);
			}
			throw new IllegalStateException("Could not describe stream '" + this.streamName + "': " + cause.getMessage()
					+ "; check the " + "endpoint, region and credentials", cause);
		}
	}

	private String fanOutConsumerName() {
		return (this.options.fanOutConsumerName() != null) ? this.options.fanOutConsumerName()
				: this.checkpointer.applicationName();
	}

	private ThreadFactory threads(String role) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable,
					"kinesis-consumer-" + this.streamName + "-" + role + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	// Lease cycle: refresh the shard list when due, renew the leases held, and take the
	// shards that may start (parents finished) up to this worker's share.

	private void cycle() {
		this.cycleRequested.set(false);
		if (this.closing) {
			return;
		}
		try {
			// heartbeats first, so a slow or failing ListShards never lets a lease lapse
			renewOwned();
			long now = System.nanoTime();
			if (this.refreshRequested || now >= this.nextRefreshNanos) {
				this.refreshRequested = false;
				refreshShards();
				this.nextRefreshNanos = now + this.options.shardRefreshInterval().toNanos();
			}
			Map<String, Lease> leases = new HashMap<>();
			for (Lease lease : this.checkpointer.listLeases().join()) {
				leases.put(lease.shardId(), lease);
			}
			takeEligible(leases);
		}
		catch (RuntimeException ex) {
			if (!this.closing) {
				logger.warn("Lease cycle of stream '{}' failed; trying again: {}", this.streamName,
						AwsErrors.unwrap(ex).toString());
			}
		}
	}

	private void renewOwned() {
		// all renewals at once: with hundreds of shards and a remote store, one at a time
		// could take longer than a lease lasts
		Map<ShardReader, CompletableFuture<Boolean>> renewals = new HashMap<>();
		for (ShardReader reader : new ArrayList<>(this.readers.values())) {
			if (!reader.isActive()) {
				this.readers.remove(reader.shardId(), reader);
				continue;
			}
			renewals.put(reader, this.checkpointer.renewLease(reader.shardId()));
		}
		for (Map.Entry<ShardReader, CompletableFuture<Boolean>> renewal : renewals.entrySet()) {
			ShardReader reader = renewal.getKey();
			if (!renewal.getValue().join()) {
				logger.warn("Lease of shard {} of stream '{}' was taken by another worker or is gone from the store; "
						+ "stopping", reader.shardId(), this.streamName);
				this.metrics.increment(MetricType.CONSUMER_ERRORS, 1, Map.of(MetricLabels.STREAM_NAME, this.streamName,
						MetricLabels.SHARD_ID, reader.shardId(), MetricLabels.ERROR_TYPE, LEASE_LOST));
				reader.stop(ShardStatus.State.STOPPED);
				this.readers.remove(reader.shardId(), reader);
			}
		}
	}

	/**
	 * Balances the shards that may start (parents finished) across the live workers, the
	 * owners of unexpired leases plus this one: each aims at ceil(shards / workers). Over
	 * its target, a worker hands extra shards back (final checkpoint, then release).
	 * Under it, it takes free or expired leases first, and otherwise steals at most one
	 * lease per cycle from the worker holding the most, when that one holds at least two
	 * more than this worker (so that shards do not bounce between two workers).
	 */
	private void takeEligible(Map<String, Lease> leases) {
		Instant now = this.checkpointer.clock().instant();
		String me = this.checkpointer.workerId();
		List<String> eligible = new ArrayList<>();
		for (Shard shard : this.shards.values()) {
			Lease lease = leases.get(shard.shardId());
			if ((lease == null || !lease.isFinished()) && parentsFinished(shard, leases)) {
				eligible.add(shard.shardId());
			}
		}
		eligible.sort(Comparator.naturalOrder());
		Set<String> liveWorkers = new HashSet<>();
		liveWorkers.add(me);
		leases.values()
			.stream()
			.filter((lease) -> lease.owner() != null && !lease.isAvailable(now))
			.forEach((lease) -> liveWorkers.add(lease.owner()));
		List<String> available = new ArrayList<>();
		Map<String, List<Lease>> heldByOthers = new HashMap<>();
		for (String shardId : eligible) {
			if (this.readers.containsKey(shardId) || this.releasing.containsKey(shardId)) {
				continue;
			}
			Lease lease = leases.get(shardId);
			if (lease == null || me.equals(lease.owner()) || lease.isAvailable(now)) {
				available.add(shardId);
			}
			else {
				heldByOthers.computeIfAbsent(lease.owner(), (owner) -> new ArrayList<>()).add(lease);
			}
		}
		int target = (eligible.size() + liveWorkers.size() - 1) / liveWorkers.size();
		List<ShardReader> owned = this.readers.values()
			.stream()
			.filter(ShardReader::isActive)
			.sorted(Comparator.comparing(ShardReader::shardId))
			.toList();
		if (owned.size() > target) {
			// hand the extra shards to the workers under their target
			owned.subList(target, owned.size()).forEach(this::handOver);
			return;
		}
		int count = owned.size();
		for (String shardId : available) {
			if (count >= target || this.closing) {
				return;
			}
			if (this.checkpointer.takeLease(shardId, leases.get(shardId)).join()) {
				startReader(shardId);
				count++;
			}
		}
		if (count < target && available.isEmpty() && !this.closing) {
			stealOne(heldByOthers, count);
		}
	}

	private void stealOne(Map<String, List<Lease>> heldByOthers, int owned) {
		List<Lease> richest = heldByOthers.values().stream().max(Comparator.comparingInt(List::size)).orElse(List.of());
		if (richest.size() <= owned + 1) {
			return;
		}
		Lease victim = richest.get(ThreadLocalRandom.current().nextInt(richest.size()));
		// conditional on the lease as read: fails if the owner renewed it meanwhile
		if (this.checkpointer.takeLease(victim.shardId(), victim).join()) {
			logger.info("Worker {} took shard {} of stream '{}' from worker {} (it held {}, this worker {})",
					this.checkpointer.workerId(), victim.shardId(), this.streamName, victim.owner(), richest.size(),
					owned);
			startReader(victim.shardId());
		}
	}

	/**
	 * Stops reading a shard, writes the checkpoint of what was handled and releases the
	 * lease, so that another worker continues right after it.
	 */
	private void handOver(ShardReader reader) {
		String shardId = reader.shardId();
		CompletableFuture<Void> released = new CompletableFuture<>();
		this.releasing.put(shardId, released);
		this.readers.remove(shardId, reader);
		logger.info("Worker {} hands shard {} of stream '{}' over to another worker", this.checkpointer.workerId(),
				shardId, this.streamName);
		reader.stop(ShardStatus.State.STOPPED);
		reader.whenStopped()
			.thenApply((ignored) -> ignored)
			.completeOnTimeout(null, this.options.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)
			.thenCompose((ignored) -> reader.flushCheckpoint())
			.thenCompose((ignored) -> this.checkpointer.releaseLease(shardId))
			.whenComplete((ok, error) -> {
				if (error != null) {
					logger.warn("Could not release the lease of shard {} of stream '{}' (it expires instead): {}",
							shardId, this.streamName, AwsErrors.unwrap(error).toString());
				}
				this.releasing.remove(shardId, released);
				released.complete(null);
			});
	}

	private boolean parentsFinished(Shard shard, Map<String, Lease> leases) {
		return parentFinished(shard.parentShardId(), leases) && parentFinished(shard.adjacentParentShardId(), leases);
	}

	private boolean parentFinished(String parentId, Map<String, Lease> leases) {
		if (parentId == null || !this.shards.containsKey(parentId)) {
			// no parent, or it expired past the retention period
			return true;
		}
		Lease lease = leases.get(parentId);
		return lease != null && lease.isFinished();
	}

	private void startReader(String shardId) {
		Shard shard = this.shards.get(shardId);
		boolean hasParent = shard != null && ((shard.parentShardId() != null
				&& this.shards.containsKey(shard.parentShardId()))
				|| (shard.adjacentParentShardId() != null && this.shards.containsKey(shard.adjacentParentShardId())));
		ShardReader reader = new ShardReader(this, shardId, hasParent);
		this.readers.put(shardId, reader);
		logger.info("Worker {} reads shard {} of stream '{}'", this.checkpointer.workerId(), shardId, this.streamName);
		reader.start();
	}

	private void refreshShards() {
		List<Shard> listed = listShards().join();
		Map<String, Shard> byId = new HashMap<>();
		int open = 0;
		for (Shard shard : listed) {
			byId.put(shard.shardId(), shard);
			if (shard.sequenceNumberRange() == null || shard.sequenceNumberRange().endingSequenceNumber() == null) {
				open++;
			}
		}
		Set<String> known = this.knownShardIds;
		if (known != null) {
			Set<Set<String>> reshards = new HashSet<>();
			for (Shard shard : listed) {
				if (!known.contains(shard.shardId()) && shard.parentShardId() != null) {
					Set<String> parents = new TreeSet<>();
					parents.add(shard.parentShardId());
					if (shard.adjacentParentShardId() != null) {
						parents.add(shard.adjacentParentShardId());
					}
					reshards.add(parents);
				}
			}
			if (!reshards.isEmpty()) {
				logger.info("Stream '{}' was resharded: new shards of {}", this.streamName, reshards);
				this.metrics.increment(MetricType.STREAM_RESHARDING_EVENTS, reshards.size(), this.streamLabels);
			}
		}
		Set<String> seen = new HashSet<>(byId.keySet());
		if (known != null) {
			seen.addAll(known);
		}
		this.knownShardIds = seen;
		this.shards = byId;
		this.metrics.gauge(MetricType.STREAM_SHARDS_ACTIVE, open, this.streamLabels);
		this.metrics.gauge(MetricType.STREAM_SHARDS_CLOSED, listed.size() - open, this.streamLabels);
	}

	private CompletableFuture<List<Shard>> listShards() {
		return Streams.listShards(this.client, (request) -> target(request::streamName, request::streamARN));
	}

	// Called by the shard readers.

	KinesisAsyncClient client() {
		return this.client;
	}

	MetricsCollector metrics() {
		return this.metrics;
	}

	RecordExpander recordExpander() {
		return this.recordExpander;
	}

	Backoff errorBackoff() {
		return this.errorBackoff;
	}

	void target(Consumer<String> byName, Consumer<String> byArn) {
		if (this.streamArn != null) {
			byArn.accept(this.streamArn);
		}
		else {
			byName.accept(this.streamName);
		}
	}

	Future<?> schedule(Runnable step, long delayNanos) {
		if (this.closing && this.scheduler.isShutdown()) {
			return CompletableFuture.completedFuture(null);
		}
		try {
			return this.scheduler.schedule(step, delayNanos, TimeUnit.NANOSECONDS);
		}
		catch (java.util.concurrent.RejectedExecutionException ex) {
			// closed meanwhile
			return CompletableFuture.completedFuture(null);
		}
	}

	RecordSource newSource(ShardReader reader) {
		return (this.fanOutConsumerArn != null) ? new FanOutSource(this, reader, this.fanOutConsumerArn)
				: new PollingSource(this, reader);
	}

	/**
	 * Whether the last shard list showed the shard closed (by a split or merge).
	 * @param shardId the shard
	 * @return {@code true} when it has an ending sequence number
	 */
	boolean isShardClosed(String shardId) {
		Shard shard = this.shards.get(shardId);
		return shard != null && shard.sequenceNumberRange() != null
				&& shard.sequenceNumberRange().endingSequenceNumber() != null;
	}

	void requestShardRefresh() {
		this.refreshRequested = true;
		requestCycle();
	}

	void onShardFinished(ShardReader reader) {
		this.readers.remove(reader.shardId(), reader);
		this.checkpointer.releaseLease(reader.shardId()).whenComplete((ok, error) -> requestShardRefresh());
	}

	void onLeaseLost(ShardReader reader) {
		this.readers.remove(reader.shardId(), reader);
	}

	private void requestCycle() {
		if (!this.closing && this.cycleRequested.compareAndSet(false, true)) {
			try {
				this.coordinator.execute(this::cycle);
			}
			catch (java.util.concurrent.RejectedExecutionException ex) {
				// closed meanwhile
			}
		}
	}

	/**
	 * Hands a batch to the handler (or to {@code poll}); completes once every record of
	 * it was handled or skipped. Waits for room when the hand-off is full, so reading
	 * pauses.
	 */
	CompletableFuture<Void> dispatch(ShardReader reader, List<KinesisRecord<byte[]>> records) {
		CompletableFuture<Void> done = new CompletableFuture<>();
		enqueue(reader, records, done);
		return done;
	}

	private void enqueue(ShardReader reader, List<KinesisRecord<byte[]>> records, CompletableFuture<Void> done) {
		int size = records.size();
		int current = this.queued.get();
		if (current > 0 && current + size > this.options.maxQueueSize()) {
			if (reader.isStopRequested()) {
				done.completeExceptionally(new IllegalStateException("shard stopped"));
				return;
			}
			schedule(() -> enqueue(reader, records, done), TimeUnit.MILLISECONDS.toNanos(20));
			return;
		}
		this.metrics.gauge(MetricType.CONSUMER_QUEUE_SIZE, this.queued.addAndGet(size), this.streamLabels);
		done.whenComplete((ok, error) -> {
			if (this.mode != Mode.POLL) {
				this.metrics.gauge(MetricType.CONSUMER_QUEUE_SIZE, this.queued.addAndGet(-size), this.streamLabels);
			}
		});
		switch (this.mode) {
			case POLL -> {
				BatchTracker tracker = new BatchTracker(size, done);
				records.forEach((record) -> this.handoff.add(new Delivery(record, tracker)));
			}
			case BATCH -> runBatch(reader, records, 1, done);
			default -> runRecords(reader, records, 0, 1, done);
		}
	}

	private void runRecords(ShardReader reader, List<KinesisRecord<byte[]>> records, int from, int attempt,
			CompletableFuture<Void> done) {
		execute(done, () -> {
			int tries = attempt;
			for (int i = from; i < records.size(); i++) {
				KinesisRecord<byte[]> record = records.get(i);
				Throwable failure = invoke(reader, () -> this.recordHandler.handle(record));
				if (failure == null) {
					tries = 1;
					continue;
				}
				if (decide(reader, List.of(record), failure, tries) == ConsumerErrorHandler.Decision.RETRY) {
					int index = i;
					int next = tries + 1;
					retryLater(reader, done, tries, () -> runRecords(reader, records, index, next, done));
					return;
				}
				tries = 1;
			}
			done.complete(null);
		});
	}

	private void runBatch(ShardReader reader, List<KinesisRecord<byte[]>> records, int attempt,
			CompletableFuture<Void> done) {
		execute(done, () -> {
			Throwable failure = invoke(reader, () -> this.batchHandler.handle(records));
			if (failure != null && decide(reader, records, failure, attempt) == ConsumerErrorHandler.Decision.RETRY) {
				retryLater(reader, done, attempt, () -> runBatch(reader, records, attempt + 1, done));
				return;
			}
			done.complete(null);
		});
	}

	private void execute(CompletableFuture<Void> done, Runnable work) {
		try {
			this.handlerExecutor.execute(() -> {
				try {
					work.run();
				}
				catch (RuntimeException ex) {
					done.completeExceptionally(ex);
				}
			});
		}
		catch (java.util.concurrent.RejectedExecutionException ex) {
			done.completeExceptionally(ex);
		}
	}

	private Throwable invoke(ShardReader reader, HandlerCall call) {
		// timed by hand, not with a Timer object: this runs once per record
		long start = System.nanoTime();
		try {
			call.run();
			return null;
		}
		catch (Exception | Error ex) {
			if (ex instanceof VirtualMachineError error) {
				throw error;
			}
			return ex;
		}
		finally {
			this.metrics.histogram(MetricType.CONSUMER_PROCESSING_TIME, (System.nanoTime() - start) / 1e9,
					reader.labels());
		}
	}

	private ConsumerErrorHandler.Decision decide(ShardReader reader, List<KinesisRecord<byte[]>> records,
			Throwable failure, int attempt) {
		ConsumerErrorHandler.Decision decision;
		try {
			decision = this.errorHandler.handle(records, failure, attempt);
		}
		catch (RuntimeException ex) {
			logger.warn("Error handler failed; retrying", ex);
			decision = ConsumerErrorHandler.Decision.RETRY;
		}
		if (attempt == 1 || attempt % 10 == 0 || decision == ConsumerErrorHandler.Decision.SKIP) {
			logger.warn("Handler failed on {} (attempt {}, {}): {}",
					(records.size() == 1) ? records.get(0) : records.size() + " records of shard " + reader.shardId(),
					attempt, (decision == ConsumerErrorHandler.Decision.RETRY) ? "will retry" : "skipped",
					failure.toString());
		}
		return decision;
	}

	private void retryLater(ShardReader reader, CompletableFuture<Void> done, int attempt, Runnable retry) {
		if (reader.isStopRequested()) {
			done.completeExceptionally(new IllegalStateException("shard " + reader.shardId() + " stopped"));
			return;
		}
		schedule(retry, this.handlerBackoff.delayNanos(attempt));
	}

	private void acknowledged(int count) {
		this.metrics.gauge(MetricType.CONSUMER_QUEUE_SIZE, this.queued.addAndGet(-count), this.streamLabels);
	}

	@FunctionalInterface
	private interface HandlerCall {

		void run() throws Exception;

	}

	private enum Mode {

		NOT_STARTED, RECORD, BATCH, POLL

	}

	private record Delivery(KinesisRecord<byte[]> record, BatchTracker tracker) {
	}

	/**
	 * Counts the records of a batch handed out by poll that were not yet acknowledged.
	 */
	private static final class BatchTracker {

		private final AtomicInteger remaining;

		private final CompletableFuture<Void> done;

		BatchTracker(int size, CompletableFuture<Void> done) {
			this.remaining = new AtomicInteger(size);
			this.done = done;
		}

		void acknowledge(KinesisConsumer consumer) {
			consumer.acknowledged(1);
			if (this.remaining.decrementAndGet() == 0) {
				this.done.complete(null);
			}
		}

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
