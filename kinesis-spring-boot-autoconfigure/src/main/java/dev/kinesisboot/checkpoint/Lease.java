package dev.kinesisboot.checkpoint;

import java.time.Instant;

/**
 * What the lease store knows about one shard.
 *
 * @param shardId the shard
 * @param owner the worker holding the lease, or {@code null} when free (released or never
 * taken)
 * @param counter incremented on every take, renewal and release; conditional writes
 * compare it
 * @param expiresAt when the lease lapses unless renewed; meaningless when free
 * @param checkpoint the shard's checkpoint, or {@code null} when none was written
 */
public record Lease(String shardId, String owner, long counter, Instant expiresAt, Checkpoint checkpoint) {

	/**
	 * Whether another worker may take the lease now: free, or its owner stopped renewing
	 * it.
	 * @param now the current time
	 * @return {@code true} when free or expired
	 */
	public boolean isAvailable(Instant now) {
		return this.owner == null || this.expiresAt == null || !now.isBefore(this.expiresAt);
	}

	/**
	 * Whether the shard was read to its end.
	 * @return {@code true} when the checkpoint is SHARD_END
	 */
	public boolean isFinished() {
		return this.checkpoint != null && this.checkpoint.isShardEnd();
	}

}
