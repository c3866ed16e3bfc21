package dev.kinesisboot.producer;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The queued records of one shard: those back for a retry, which go first, and those
 * never sent, in put order. Kept apart so that a pass finds the fresh records however
 * many retries wait for their back-off, and so that a retry's size does not decide how
 * long a fresh record waits for the rate limit. A key's retry is always older than its
 * fresh records: the queue counts the keys of its retries, so that per-key order can hold
 * a fresh record back without looking through every retry. Not thread-safe.
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

	/**
	 * How many records of each key are among the retries, or taken out of them by a take
	 * still going on; counted when a record enters the retries and when a take moves it
	 * into a batch.
	 */
	private final Map<String, Integer> retryKeys = new HashMap<>();

	/** Size of the entry the rate gate last refused, 0 after a take. */
	int blockedSize;

	ShardQueue(String shardId) {
		this.shardId = shardId;
	}

	/**
	 * Queues a retry in front of the others.
	 * @param record the record
	 */
	void addRetryFirst(PendingRecord record) {
		this.retries.addFirst(record);
		this.retryKeys.merge(record.partitionKey, 1, Integer::sum);
	}

	/**
	 * Queues a retry behind the others.
	 * @param record the record
	 */
	void addRetryLast(PendingRecord record) {
		this.retries.addLast(record);
		this.retryKeys.merge(record.partitionKey, 1, Integer::sum);
	}

	/**
	 * Notes that a record taken out of the retries went into a batch.
	 * @param record the record
	 */
	void retrySent(PendingRecord record) {
		Integer count = this.retryKeys.get(record.partitionKey);
		if (count == null) {
			throw new IllegalStateException("A retry of partition key '" + record.partitionKey
					+ "' left the queue of shard " + this.shardId + ", which did not count it among its retries");
		}
		if (count > 1) {
			this.retryKeys.put(record.partitionKey, count - 1);
		}
		else {
			this.retryKeys.remove(record.partitionKey);
		}
	}

	/**
	 * Whether a record of the key waits among the retries.
	 * @param partitionKey the key
	 * @return {@code true} when one does
	 */
	boolean hasRetryOf(String partitionKey) {
		return this.retryKeys.containsKey(partitionKey);
	}

	/**
	 * Whether the counts of keys match the retries queued: a count left behind would hold
	 * a key's fresh records back for good, a count missing would let one pass its retry.
	 * For assertions, between passes (a take going on moves retries out before it counts
	 * them); it looks at every retry.
	 * @return {@code true} when they match
	 */
	boolean retryCountsMatch() {
		Map<String, Integer> counted = new HashMap<>();
		for (PendingRecord record : this.retries) {
			counted.merge(record.partitionKey, 1, Integer::sum);
		}
		return counted.equals(this.retryKeys);
	}

	/** Empties the queue. */
	void clear() {
		this.retries.clear();
		this.retryKeys.clear();
		this.fresh.clear();
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
