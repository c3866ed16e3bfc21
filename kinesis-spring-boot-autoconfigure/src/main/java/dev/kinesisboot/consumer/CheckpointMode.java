package dev.kinesisboot.consumer;

/**
 * When a consumer writes a shard's checkpoint: consumer policy, not the store's (the
 * {@link dev.kinesisboot.checkpoint.Checkpointer} only stores). Either way, each shard
 * has one writer, its reader, and the last position is written when the shard is released
 * or the consumer closes.
 */
public enum CheckpointMode {

	/**
	 * After each handled batch, or at most once per
	 * {@link ConsumerOptions#checkpointInterval()}.
	 */
	AUTO,

	/**
	 * Only what the application acknowledged ({@link KinesisConsumer#acknowledge}),
	 * written when acknowledged, and at a release or shutdown.
	 */
	MANUAL

}
