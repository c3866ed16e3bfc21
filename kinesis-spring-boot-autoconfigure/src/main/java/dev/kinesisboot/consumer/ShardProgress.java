package dev.kinesisboot.consumer;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.kinesisboot.checkpoint.Checkpoint;

/**
 * What this worker knows it handled (or, in {@link CheckpointMode#MANUAL}, the
 * application acknowledged) per shard, kept across its readers: when the lease store
 * forgets a checkpoint (a restart without persistence, a re-created table), a reader of
 * this worker resumes from what it knows instead of the initial position. A stored
 * checkpoint always wins, even one behind what this worker knows: it may have been moved
 * back on purpose ({@link CheckpointMover}), and reading from it costs only duplicates.
 * Also remembers that the store was seen to lose leases; from then on this worker starts
 * shards that have no checkpoint at their oldest record, trading duplicates for the
 * records the lost start markers would otherwise skip. Thread-safe.
 */
final class ShardProgress {

	private final Map<String, Checkpoint> known = new ConcurrentHashMap<>();

	private volatile Instant storeResetAt;

	/**
	 * Records that every record of the shard up to the position was handled.
	 * @param shardId the shard
	 * @param position the position
	 */
	void advance(String shardId, Checkpoint position) {
		this.known.merge(shardId, position, (old, next) -> (next.compareTo(old) > 0) ? next : old);
	}

	/**
	 * The furthest position this worker knows of.
	 * @param shardId the shard
	 * @return the position, or {@code null}
	 */
	Checkpoint known(String shardId) {
		return this.known.get(shardId);
	}

	/**
	 * Forgets a shard read to its end.
	 * @param shardId the shard
	 */
	void finished(String shardId) {
		this.known.remove(shardId);
	}

	/**
	 * Records that the lease store lost leases it had.
	 * @param when when it was noticed
	 */
	void storeReset(Instant when) {
		this.storeResetAt = when;
	}

	/**
	 * When the lease store was last seen to lose leases.
	 * @return the instant, or {@code null} when never
	 */
	Instant storeResetAt() {
		return this.storeResetAt;
	}

}
