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
 * <li>{@link #releaseLease(String)}: clears the owner (only while this worker owns it),
 * so another worker can take it at once.</li>
 * </ul>
 *
 * <h2>Store, not policy</h2> A checkpointer stores what it is given, when it is given it.
 * When to write (after every batch, every so often, only what the application
 * acknowledged) is the consumer's policy ({@code ConsumerOptions.checkpointMode}), and a
 * consumer has one writer per shard: the shard's reader, which writes the last position
 * before it releases the lease.
 *
 * <h2>Guarantees and assumptions</h2> A checkpoint never passes a record the consumer did
 * not hand to the application and see handled (or skipped by its error handler). A
 * consumer renews its leases every third of {@link #leaseDuration()} and stops reading a
 * shard whose lease it could not renew before the lease could expire for another worker,
 * assuming the workers' wall clocks differ by less than a quarter of the lease duration;
 * a lease the store shows taken by another worker stops the reader at its next renewal,
 * with at most the record being handled finishing. Lease expiry is computed from the
 * writing worker's clock when the call is sent.
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
	 * The stored checkpoint of a shard.
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
	 * Frees the lease, if this worker holds it.
	 * @param shardId the shard
	 * @return completed when released (or not held anymore)
	 */
	CompletableFuture<Void> releaseLease(String shardId);

	/**
	 * Records that every record of the shard up to the position was handled. Once
	 * {@link Checkpoint#SHARD_END} is stored, a later write of another position (for
	 * example one that timed out on the caller's side and reached the store late) leaves
	 * it in place and succeeds: an ended shard stays ended.
	 * @param shardId the shard
	 * @param checkpoint the position
	 * @return completed when written; fails with {@link LeaseLostException} when this
	 * worker does not hold the lease
	 */
	CompletableFuture<Void> checkpoint(String shardId, Checkpoint checkpoint);

	/**
	 * Writes a position as {@link #checkpoint(String, Checkpoint)} does, but also over
	 * {@link Checkpoint#SHARD_END}: re-opens a shard read to its end, so that it is read
	 * again from there. Only for an operator's move ({@code CheckpointMover}), which
	 * holds the lease while it writes; a consumer never calls it.
	 * @param shardId the shard
	 * @param checkpoint the position
	 * @return completed when written; fails with {@link LeaseLostException} when this
	 * worker does not hold the lease
	 */
	default CompletableFuture<Void> reopen(String shardId, Checkpoint checkpoint) {
		return CompletableFuture.failedFuture(
				new UnsupportedOperationException(getClass().getName() + " cannot re-open a shard read to its end"));
	}

	/**
	 * Writes this worker's heartbeat (lasting {@link #leaseDuration()}) and reads every
	 * worker's heartbeat of the stream and group. A consumer calls it once per lease
	 * cycle, so that it reads every lease only when something changed; its cost grows
	 * with the number of workers, not with the number of shards.
	 * <p>
	 * A store that keeps no heartbeats fails the future with
	 * {@link UnsupportedOperationException} (the default): the consumer then reads every
	 * lease every cycle, as before heartbeats existed.
	 * @param leases how many leases this worker holds
	 * @param changes this worker's change counter (see {@link WorkerBeat#changes()})
	 * @return every worker's heartbeat, this one's included, expired ones too
	 */
	default CompletableFuture<List<WorkerBeat>> beat(int leases, long changes) {
		return CompletableFuture
			.failedFuture(new UnsupportedOperationException(getClass().getName() + " keeps no worker heartbeats"));
	}

	/**
	 * Removes this worker's heartbeat, when it stops after releasing its leases, so that
	 * the others take them over at once instead of after the heartbeat lapses.
	 * @return completed when removed (or when the store keeps no heartbeats)
	 */
	default CompletableFuture<Void> endBeat() {
		return CompletableFuture.completedFuture(null);
	}

	/**
	 * Releases what the checkpointer holds (not the leases: the consumer releases those).
	 */
	@Override
	void close();

}
