package dev.kinesisboot.consumer;

/**
 * Records of a shard were not handed over because its reader stopped first; they count as
 * not handled and the next owner reads them again.
 */
final class ShardStoppedException extends RuntimeException {

	ShardStoppedException(String shardId) {
		super("shard " + shardId + " stopped", null, false, false);
	}

}
