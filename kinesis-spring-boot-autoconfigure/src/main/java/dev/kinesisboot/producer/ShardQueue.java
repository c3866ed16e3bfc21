package dev.kinesisboot.producer;

import java.util.ArrayDeque;

/**
 * The queued records of one shard, oldest first (retries go back to the front). Not
 * thread-safe.
 */
final class ShardQueue {

	final String shardId;

	final ArrayDeque<PendingRecord> records = new ArrayDeque<>();

	/** Size of the entry the rate gate last refused, 0 after a take. */
	int blockedSize;

	ShardQueue(String shardId) {
		this.shardId = shardId;
	}

}
