package dev.kinesisboot.checkpoint;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.metrics.MetricsCollector;

/**
 * Keeps, for one consumer group (application name) and one stream, who reads each shard
 * (a lease) and how far it was read (a checkpoint). Consumers on several machines
 * coordinate only through it.
 *
 * <h2>Data</h2> Per shard one lease: {@code owner} (a worker id, unique per consumer
 * instance), {@code counter} (a number incremented by every take, renewal and release),
 * {@code expiresAt} (renewal time plus {@link #leaseDuration()}) and {@code checkpoint}.
 * Keys or items are namespaced by application name and stream name, so two groups or two
 * streams never collide.
 *
 * <h2>Operations</h2> Every write is conditional, so that a worker that lost a lease can
 * never overwrite the new owner's state:
 * <ul>
 * <li>{@link #takeLease(String, Lease)}: succeeds only when the stored lease still equals
 * the one the caller read ({@code owner} and {@code counter}), or does not exist when the
 * caller read none. Used both to take a free or expired lease and to steal one when
 * balancing.</li>
 * <li>{@link #renewLease(String)} (heartbeat) and
 * {@link #checkpoint(String, Checkpoint)}: succeed only while this worker is the owner;
 * otherwise they report the loss ({@code false}, or {@link LeaseLostException}) and the
 * caller stops reading the shard.</li>
 * <li>{@link #releaseLease(String)}: writes any buffered checkpoint of the shard, then
 * clears the owner (only while this worker owns it), so another worker can take it at
 * once.</li>
 * </ul>
 *
 * <h2>Checkpoint modes</h2> With auto-checkpoint, {@code checkpoint} writes at once. In
 * manual mode it only buffers the newest position per shard; {@link #manualCheckpoint()}
 * writes them all and, when some fail, reports each shard and cause while keeping them
 * buffered.
 *
 * <h2>Metrics</h2> {@code consumer_checkpoint_success_total} and
 * {@code consumer_checkpoint_failure_total} count durable checkpoint writes (not
 * heartbeats), labelled {@code stream_name="<standalone>"} until a consumer calls
 * {@link #bindMetrics(MetricsCollector, Map)}.
 * <p>
 * Implementations are thread-safe.
 */
public interface Checkpointer extends AutoCloseable {

	/**
	 * The id of this worker in the lease store.
	 * @return the worker id
	 */
	String workerId();

	/**
	 * The consumer group whose progress this checkpointer keeps.
	 * @return the application name
	 */
	String applicationName();

	/**
	 * The stream whose shards this checkpointer keeps.
	 * @return the stream name
	 */
	String streamName();

	/**
	 * How long a lease lasts without renewal.
	 * @return the lease duration
	 */
	Duration leaseDuration();

	/**
	 * The clock lease expiry times are measured with.
	 * @return the clock
	 */
	Clock clock();

	/**
	 * Whether {@link #checkpoint(String, Checkpoint)} writes at once.
	 * @return {@code true} for auto-checkpoint, {@code false} for manual
	 */
	boolean isAutoCheckpoint();

	/**
	 * Sends checkpoint metrics to a collector with the given base labels (the stream
	 * name).
	 * @param collector the collector
	 * @param labels the base labels, such as {@code stream_name}
	 */
	void bindMetrics(MetricsCollector collector, Map<String, String> labels);

	/**
	 * Every lease of the stream.
	 * @return the leases
	 */
	CompletableFuture<List<Lease>> listLeases();

	/**
	 * The checkpoint of a shard: the buffered one in manual mode, else the stored one.
	 * @param shardId the shard
	 * @return the checkpoint, empty when none was written
	 */
	CompletableFuture<Optional<Checkpoint>> getCheckpoint(String shardId);

	/**
	 * Takes a lease for this worker if it is still as the caller read it.
	 * @param shardId the shard
	 * @param expected the lease as read by {@link #listLeases()}, or {@code null} when
	 * there was none
	 * @return {@code true} when this worker now holds the lease
	 */
	CompletableFuture<Boolean> takeLease(String shardId, Lease expected);

	/**
	 * Extends a lease this worker holds.
	 * @param shardId the shard
	 * @return {@code false} when the lease was lost to another worker
	 */
	CompletableFuture<Boolean> renewLease(String shardId);

	/**
	 * Writes the shard's buffered checkpoint, if any, then frees the lease.
	 * @param shardId the shard
	 * @return completed when released (or not held anymore)
	 */
	CompletableFuture<Void> releaseLease(String shardId);

	/**
	 * Records that every record of the shard up to the position was handled.
	 * @param shardId the shard
	 * @param checkpoint the position
	 * @return completed when written (auto mode) or buffered (manual mode); fails with
	 * {@link LeaseLostException} when this worker does not hold the lease
	 */
	CompletableFuture<Void> checkpoint(String shardId, Checkpoint checkpoint);

	/**
	 * Writes every buffered checkpoint (manual mode); does nothing in auto mode.
	 * @return completed when all were written; fails with
	 * {@link CheckpointFlushException} listing the shards that could not be written,
	 * which stay buffered
	 */
	CompletableFuture<Void> manualCheckpoint();

	/**
	 * Releases what the checkpointer holds (not the leases: the consumer releases those).
	 */
	@Override
	void close();

}
