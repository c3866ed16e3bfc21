package dev.kinesisboot.producer;

import java.util.ArrayDeque;

/**
 * The queued records of one shard: those back for a retry, which go first, and those
 * never sent, in put order. Kept apart so that a pass finds the fresh records however
 * many retries wait for their back-off (with per-key order, only when it looked at every
 * retry, see {@link BatchAssembler#SCAN_LIMIT}), and so that a retry's size does not
 * decide how long a fresh record waits for the rate limit. A key's retry is always older
 * than its fresh records. Not thread-safe.
 */
final class ShardQueue {

	final String shardId;

	/**
	 * Records sent before and back for a retry; they come back in any order (calls settle
	 * in any order), so none of them says when the others are due.
	 */
	final ArrayDeque<PendingRecord> retries = new ArrayDeque<>();

	/** Records never sent, oldest first. */
	final ArrayDeque<PendingRecord> fresh = new ArrayDeque<>();

	/** Size of the entry the rate gate last refused, 0 after a take. */
	int blockedSize;

	ShardQueue(String shardId) {
		this.shardId = shardId;
	}

	int size() {
		return this.retries.size() + this.fresh.size();
	}

	/**
	 * The record a take looks at first.
	 * @return the first retry, else the oldest fresh record, or {@code null} when empty
	 */
	PendingRecord first() {
		PendingRecord retry = this.retries.peekFirst();
		return (retry != null) ? retry : this.fresh.peekFirst();
	}

}
