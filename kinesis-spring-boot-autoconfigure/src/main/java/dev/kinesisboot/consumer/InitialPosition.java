package dev.kinesisboot.consumer;

/**
 * Where a consumer starts reading a shard that has no checkpoint yet. Child shards of a
 * split or merge always start at their oldest record, so nothing written after the
 * reshard is missed.
 */
public enum InitialPosition {

	/** The oldest record still in the shard. */
	TRIM_HORIZON,

	/** Only records written after the consumer started. */
	LATEST,

	/** The first record written at or after {@link ConsumerOptions#startTimestamp()}. */
	AT_TIMESTAMP

}
