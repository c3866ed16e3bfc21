package dev.kinesisboot.checkpoint.asynckinesis;

import dev.kinesisboot.checkpoint.Checkpoint;

/**
 * What an import did with one shard.
 *
 * @param shardId the shard
 * @param outcome what was done
 * @param source what async-kinesis had stored
 * @param checkpoint the checkpoint written ({@link Outcome#IMPORTED}) or found
 * ({@link Outcome#ALREADY_CHECKPOINTED}), else {@code null}
 */
public record ImportedShard(String shardId, Outcome outcome, AsyncKinesisCheckpoint source, Checkpoint checkpoint) {

	/**
	 * What an import did with a shard.
	 */
	public enum Outcome {

		/** The async-kinesis checkpoint was written into our store. */
		IMPORTED,

		/** Our store had a checkpoint already; it was left as it is. */
		ALREADY_CHECKPOINTED,

		/** async-kinesis never checkpointed the shard; nothing was written. */
		NOTHING_TO_IMPORT,

		/**
		 * Another worker of ours holds the shard's lease (it is reading already); nothing
		 * was written.
		 */
		LEASE_HELD

	}

}
