package dev.kinesisboot.checkpoint;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.metrics.KinesisMetrics;

/**
 * The store-independent part of a {@link Checkpointer}: checkpoint metrics, lease expiry
 * times and the stream/group namespace. A store implements the conditional reads and
 * writes.
 */
public abstract class AbstractCheckpointer implements Checkpointer {

	private final String applicationName;

	private final String streamName;

	private final String workerId;

	private final Duration leaseDuration;

	private final Clock clock;

	// the process-wide default until a consumer binds its own
	private volatile MetricsCollector metrics = KinesisMetrics.getMetricsCollector();

	private volatile Map<String, String> baseLabels = MetricLabels.stream(MetricLabels.STANDALONE_STREAM);

	/**
	 * Creates the common part.
	 * @param settings the settings
	 */
	protected AbstractCheckpointer(CheckpointerSettings settings) {
		this.applicationName = settings.applicationName();
		this.streamName = settings.streamName();
		this.workerId = settings.workerId();
		this.leaseDuration = settings.leaseDuration();
		this.clock = settings.clock();
	}

	@Override
	public String workerId() {
		return this.workerId;
	}

	@Override
	public String applicationName() {
		return this.applicationName;
	}

	@Override
	public String streamName() {
		return this.streamName;
	}

	@Override
	public Duration leaseDuration() {
		return this.leaseDuration;
	}

	@Override
	public Clock clock() {
		return this.clock;
	}

	/**
	 * When a lease taken or renewed now expires.
	 * @return now plus the lease duration
	 */
	protected Instant newExpiry() {
		return this.clock.instant().plus(this.leaseDuration);
	}

	@Override
	public void bindMetrics(MetricsCollector collector, Map<String, String> labels) {
		this.metrics = Objects.requireNonNull(collector, "collector");
		this.baseLabels = Map.copyOf(labels);
	}

	@Override
	public CompletableFuture<Optional<Checkpoint>> getCheckpoint(String shardId) {
		return readCheckpoint(shardId);
	}

	@Override
	public CompletableFuture<Void> checkpoint(String shardId, Checkpoint checkpoint) {
		return durableCheckpoint(shardId, checkpoint);
	}

	@Override
	public CompletableFuture<Void> reopen(String shardId, Checkpoint checkpoint) {
		try {
			return writeReopen(shardId, checkpoint);
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * Writes a checkpoint if this worker owns the lease, over {@code SHARD_END} too.
	 * @param shardId the shard
	 * @param checkpoint the position
	 * @return completed when written; failed with {@link LeaseLostException} when not the
	 * owner
	 */
	protected CompletableFuture<Void> writeReopen(String shardId, Checkpoint checkpoint) {
		return CompletableFuture.failedFuture(
				new UnsupportedOperationException(getClass().getName() + " cannot re-open a shard read to its end"));
	}

	@Override
	public CompletableFuture<Void> releaseLease(String shardId) {
		return writeRelease(shardId);
	}

	private CompletableFuture<Void> durableCheckpoint(String shardId, Checkpoint checkpoint) {
		Map<String, String> labels = new HashMap<>(this.baseLabels);
		labels.put(MetricLabels.SHARD_ID, shardId);
		CompletableFuture<Void> write;
		try {
			write = writeCheckpoint(shardId, checkpoint);
		}
		catch (RuntimeException ex) {
			write = CompletableFuture.failedFuture(ex);
		}
		return write.whenComplete((ok, error) -> this.metrics.increment(
				(error == null) ? MetricType.CONSUMER_CHECKPOINT_SUCCESS : MetricType.CONSUMER_CHECKPOINT_FAILURE, 1,
				labels));
	}

	/**
	 * Reads the stored checkpoint of a shard.
	 * @param shardId the shard
	 * @return the checkpoint, empty when none was written
	 */
	protected abstract CompletableFuture<Optional<Checkpoint>> readCheckpoint(String shardId);

	/**
	 * Writes a checkpoint if this worker owns the lease.
	 * @param shardId the shard
	 * @param checkpoint the position
	 * @return completed when written; failed with {@link LeaseLostException} when not the
	 * owner
	 */
	protected abstract CompletableFuture<Void> writeCheckpoint(String shardId, Checkpoint checkpoint);

	/**
	 * Clears the owner if this worker owns the lease.
	 * @param shardId the shard
	 * @return completed when released or not owned
	 */
	protected abstract CompletableFuture<Void> writeRelease(String shardId);

	@Override
	public void close() {
	}

}
