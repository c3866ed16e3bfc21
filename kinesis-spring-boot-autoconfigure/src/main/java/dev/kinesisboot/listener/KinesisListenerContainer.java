package dev.kinesisboot.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.consumer.CheckpointMode;
import dev.kinesisboot.consumer.CheckpointMover;
import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.support.Streams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one {@link KinesisListener} method: a {@link KinesisConsumer} per stream, started
 * late and stopped early in the application's lifecycle. Stopping finishes the running
 * listener calls, writes the checkpoints of what was handled and releases the leases. It
 * runs with the settings its factory had when it was created, whatever the factory is set
 * to later. Thread-safe.
 */
public class KinesisListenerContainer implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(KinesisListenerContainer.class);

	private final KinesisListenerEndpoint endpoint;

	private final ContainerSettings settings;

	private final ListenerMethodAdapter adapter;

	private final PayloadConverter converter;

	private final List<KinesisConsumer> consumers = new ArrayList<>();

	private volatile boolean running;

	private volatile boolean paused;

	KinesisListenerContainer(KinesisListenerEndpoint endpoint, ContainerSettings settings) {
		this.endpoint = endpoint;
		this.settings = settings;
		PayloadConverter converter = settings.payloadConverter();
		if (endpoint.format() != null) {
			converter = new FormattedPayloadConverter(converter, endpoint.format(),
					endpoint.method().getDeclaringClass().getSimpleName() + "." + endpoint.method().getName());
		}
		this.adapter = new ListenerMethodAdapter(endpoint.bean(), endpoint.method(), isBatch(), converter);
		this.converter = converter;
	}

	/**
	 * The container id.
	 * @return the id
	 */
	public String getId() {
		return this.endpoint.id();
	}

	ContainerSettings settings() {
		return this.settings;
	}

	/**
	 * The endpoint this container runs.
	 * @return the endpoint
	 */
	public KinesisListenerEndpoint getEndpoint() {
		return this.endpoint;
	}

	/**
	 * The consumers of a running container, one per stream.
	 * @return the consumers
	 */
	public synchronized List<KinesisConsumer> getConsumers() {
		return List.copyOf(this.consumers);
	}

	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		if (this.endpoint.concurrency() != null && this.settings.listenerTaskExecutor() != null) {
			logger.warn(
					"@KinesisListener {} sets concurrency {}, which has no effect: its calls run on the "
							+ "container factory's listener task executor, at most one per shard at a time",
					this.adapter.describe(), this.endpoint.concurrency());
		}
		try {
			// a dead-letter stream that is missing fails here, before any listener runs
			this.settings.errorHandler().verify();
			for (String stream : this.endpoint.streams()) {
				this.consumers.add(startConsumer(stream));
			}
			this.running = true;
		}
		catch (RuntimeException ex) {
			this.consumers.forEach(KinesisConsumer::close);
			this.consumers.clear();
			throw ex;
		}
	}

	private KinesisConsumer startConsumer(String stream) {
		boolean arn = Streams.isArn(stream);
		if (this.settings.createStreams() && !arn) {
			Streams.ensureExists(this.settings.client(), stream, true, this.settings.createStreamShardCount(),
					"create it, or let the container factory create it (setCreateStreams) for development");
		}
		String group = (this.endpoint.group() != null) ? this.endpoint.group() : this.settings.group();
		String streamName = Streams.nameOf(stream);
		CheckpointMode mode = (this.endpoint.checkpointMode() != null) ? this.endpoint.checkpointMode()
				: this.settings.checkpointMode();
		Checkpointer checkpointer = this.settings.checkpointerFactory().create(group, streamName);
		ConsumerOptions.Builder options = this.settings.consumerOptions().toBuilder().checkpointMode(mode);
		if (this.endpoint.startTimestamp() != null) {
			options.startAt(this.endpoint.startTimestamp());
		}
		else if (this.endpoint.startPosition() != null) {
			if (this.endpoint.startPosition() == InitialPosition.AT_TIMESTAMP
					&& this.settings.consumerOptions().startTimestamp() == null) {
				throw new IllegalStateException("@KinesisListener " + this.adapter.describe()
						+ " starts AT_TIMESTAMP but names no time; set startTimestamp = \"2026-01-01T00:00:00Z\" "
						+ "(an ISO-8601 instant) on it, or a start timestamp on its container factory");
			}
			options.initialPosition(this.endpoint.startPosition());
		}
		if (this.endpoint.concurrency() != null) {
			options.handlerThreads(this.endpoint.concurrency());
		}
		KinesisConsumer.Builder builder = KinesisConsumer.builder(this.settings.client())
			.options(options.build())
			.checkpointer(checkpointer)
			.metricsCollector(this.settings.metricsCollector())
			.errorHandler(this.settings.errorHandler())
			.handlerExecutor(this.settings.listenerTaskExecutor());
		if (arn) {
			builder.streamArn(stream);
		}
		else {
			builder.streamName(stream);
		}
		if (this.converter instanceof FormattedPayloadConverter formatted) {
			builder.recordExpander(formatted.expander());
		}
		else if (this.settings.recordExpander() != null) {
			builder.recordExpander(this.settings.recordExpander());
		}
		KinesisConsumer consumer = builder.build();
		if (this.paused) {
			consumer.pause();
		}
		ObservedHandlers observed = new ObservedHandlers(this.settings.observationRegistry(),
				this.settings.observationConvention(), getId(), streamName, group);
		if (isBatch()) {
			consumer.startBatch(observed
				.batches((records) -> this.adapter.invokeBatch(records, (last) -> acknowledgement(consumer, last))));
		}
		else {
			consumer.start(
					observed.records((record) -> this.adapter.invokeRecord(record, acknowledgement(consumer, record))));
		}
		logger.info("@KinesisListener {} reads stream '{}' as group '{}'", this.adapter.describe(), stream, group);
		return consumer;
	}

	private static Acknowledgement acknowledgement(KinesisConsumer consumer, KinesisRecord<byte[]> last) {
		return () -> consumer.acknowledge(last).join();
	}

	private boolean isBatch() {
		return Boolean.TRUE.equals(this.endpoint.batch());
	}

	/**
	 * Stops fetching records while keeping the leases (see
	 * {@link KinesisConsumer#pause()}); a container started later starts paused.
	 */
	public synchronized void pause() {
		this.paused = true;
		this.consumers.forEach(KinesisConsumer::pause);
	}

	/**
	 * Fetches again after {@link #pause()}.
	 */
	public synchronized void resume() {
		this.paused = false;
		this.consumers.forEach(KinesisConsumer::resume);
	}

	/**
	 * Whether the container is paused.
	 * @return {@code true} between {@link #pause()} and {@link #resume()}
	 */
	public boolean isPaused() {
		return this.paused;
	}

	/**
	 * Resets or moves the group's checkpoints of one of the container's streams, safely
	 * while this and other instances run (see {@link CheckpointMover}): the readers of
	 * the moved shards stop within a third of the lease duration, and the next ones start
	 * at the new positions.
	 * @param stream one of the container's streams
	 * @param target where every shard moves to
	 * @return what was moved, and which shards were re-opened (had been read to their
	 * end)
	 */
	public CheckpointMover.Result moveCheckpoints(String stream, CheckpointMover.Target target) {
		return withMover(stream, (mover) -> mover.moveAll(target));
	}

	/**
	 * Moves some shards of one of the container's streams, each to its own position
	 * ({@link CheckpointMover#afterSequenceNumber(String)}).
	 * @param stream one of the container's streams
	 * @param positions the position of each shard to move
	 * @return what was moved, and which shards were re-opened (had been read to their
	 * end)
	 */
	public CheckpointMover.Result moveCheckpoints(String stream, Map<String, Checkpoint> positions) {
		return withMover(stream, (mover) -> mover.move(positions));
	}

	private CheckpointMover.Result withMover(String stream,
			Function<CheckpointMover, CompletableFuture<CheckpointMover.Result>> move) {
		if (!this.endpoint.streams().contains(stream)) {
			throw new IllegalArgumentException(
					"Container '" + getId() + "' reads " + this.endpoint.streams() + ", not stream '" + stream + "'");
		}
		String group = (this.endpoint.group() != null) ? this.endpoint.group() : this.settings.group();
		// a checkpointer with a worker id of its own, so the move cannot race with this
		// container's own writes
		try (Checkpointer store = this.settings.checkpointerFactory().create(group, Streams.nameOf(stream))) {
			return move.apply(new CheckpointMover(this.settings.client(), stream, store)).join();
		}
	}

	@Override
	public void stop() {
		stopAsync().join();
	}

	/**
	 * Stops without blocking the caller: the consumers close (finishing what they handle,
	 * writing their last checkpoints, releasing their leases) and then the callback runs.
	 * @param callback called once every consumer closed
	 */
	@Override
	public void stop(Runnable callback) {
		stopAsync().whenComplete((ok, error) -> callback.run());
	}

	/**
	 * Closes every consumer of the container at once.
	 * @return completes when all closed
	 */
	CompletableFuture<Void> stopAsync() {
		List<KinesisConsumer> toClose;
		synchronized (this) {
			toClose = new ArrayList<>(this.consumers);
			this.consumers.clear();
			this.running = false;
		}
		return CompletableFuture
			.allOf(toClose.stream().map(KinesisConsumer::closeAsync).toArray(CompletableFuture[]::new));
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public boolean isAutoStartup() {
		return !Boolean.FALSE.equals(this.endpoint.autoStartup());
	}

}
