package dev.kinesisboot.producer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records waiting to be sent, with their count and bytes against the producer's queue
 * bound. Grouped by shard, one queue per shard of the current {@link ShardMap}, when
 * something is done per shard (rate limits, aggregation, per-key order); otherwise in one
 * queue, so that a batch takes records in put order, whatever their shards, and walks
 * memory in the order the records were made. In each queue, records back for a retry wait
 * apart from, and go before, the records never sent, which stay in put order. Records of
 * one partition key are always in one queue, in put order (a record back for a retry is
 * older than those of its key never sent). Not thread-safe: the producer uses it under
 * its lock.
 */
final class RecordBuffer {

	/** The id of the one queue when records are not grouped by shard. */
	static final String ALL_SHARDS = "(all shards)";

	private final Map<String, ShardQueue> queues = new LinkedHashMap<>();

	private final int capacity;

	private final boolean byShard;

	/** The one queue when records are not grouped by shard: no lookup per record. */
	private ShardQueue allShards;

	private ShardMap shardMap = ShardMap.empty();

	private int size;

	private long bytes;

	private long lastSeq;

	private long flushThroughSeq;

	/**
	 * A buffer that groups records by shard.
	 * @param capacity the most records it holds
	 */
	RecordBuffer(int capacity) {
		this(capacity, true);
	}

	/**
	 * A buffer.
	 * @param capacity the most records it holds
	 * @param byShard whether records are grouped by shard, or kept in one queue
	 */
	RecordBuffer(int capacity, boolean byShard) {
		this.capacity = capacity;
		this.byShard = byShard;
	}

	/**
	 * Whether a producer with these options must group its records by shard: when its
	 * rate limits, aggregation or per-key order work per shard.
	 * @param options the options
	 * @return {@code true} to group by shard
	 */
	static boolean groupsByShard(ProducerOptions options) {
		return options.rateLimitEnabled() || options.aggregationEnabled() || options.orderedPerShard();
	}

	int size() {
		return this.size;
	}

	long bytes() {
		return this.bytes;
	}

	boolean isEmpty() {
		return this.size == 0;
	}

	boolean isFull() {
		return this.size >= this.capacity;
	}

	Collection<ShardQueue> queues() {
		return this.queues.values();
	}

	ShardMap shardMap() {
		return this.shardMap;
	}

	/**
	 * Queues a record behind the others of its shard.
	 * @param record the record, numbered here in put order
	 */
	void add(PendingRecord record) {
		record.seq = ++this.lastSeq;
		queueFor(record).fresh.addLast(record);
		this.size++;
		this.bytes += record.size;
	}

	/**
	 * Puts records back for a retry, in front of the records never sent and of the
	 * retries already waiting, keeping their order.
	 * @param records records sent earlier, in the order they were queued
	 */
	void returnToFront(List<PendingRecord> records) {
		for (int i = records.size() - 1; i >= 0; i--) {
			PendingRecord record = records.get(i);
			queueFor(record).addRetryFirst(record);
			this.size++;
			this.bytes += record.size;
		}
	}

	/**
	 * Accounts for a record that left its queue.
	 * @param record the record taken
	 */
	void taken(PendingRecord record) {
		this.size--;
		this.bytes -= record.size;
	}

	/** Marks every record queued so far as due now. */
	void flushAll() {
		this.flushThroughSeq = this.lastSeq;
	}

	boolean isFlushing(PendingRecord record) {
		return record.seq <= this.flushThroughSeq;
	}

	/**
	 * Moves the queued records to the queues of their shards in a new map, keeping the
	 * order of each key.
	 * @param map the new shard map
	 */
	void rehome(ShardMap map) {
		this.shardMap = map;
		if (!this.byShard) {
			return;
		}
		List<ShardQueue> old = new ArrayList<>(this.queues.values());
		this.queues.clear();
		List<PendingRecord> fresh = new ArrayList<>(this.size);
		for (ShardQueue queue : old) {
			for (PendingRecord record : queue.retries) {
				queueFor(record).addRetryLast(record);
			}
			fresh.addAll(queue.fresh);
		}
		// merged shards' records interleave: a queue's records never sent stay in put
		// order, which says when the first of them is due
		fresh.sort(Comparator.comparingLong((record) -> record.seq));
		for (PendingRecord record : fresh) {
			queueFor(record).fresh.addLast(record);
		}
	}

	/**
	 * Whether every queue's counts of retry keys match its retries; for assertions,
	 * between passes.
	 * @return {@code true} when they do
	 */
	boolean retryCountsMatch() {
		for (ShardQueue queue : this.queues.values()) {
			if (!queue.retryCountsMatch()) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Empties the buffer.
	 * @return the records it held
	 */
	List<PendingRecord> removeAll() {
		List<PendingRecord> all = new ArrayList<>(this.size);
		for (ShardQueue queue : this.queues.values()) {
			all.addAll(queue.retries);
			all.addAll(queue.fresh);
			queue.clear();
		}
		this.size = 0;
		this.bytes = 0;
		return all;
	}

	private ShardQueue queueFor(PendingRecord record) {
		if (!this.byShard) {
			if (this.allShards == null) {
				this.allShards = new ShardQueue(ALL_SHARDS);
				this.queues.put(ALL_SHARDS, this.allShards);
			}
			return this.allShards;
		}
		if (!record.hashed) {
			throw new IllegalStateException("A record without its key's hash cannot be routed by shard; "
					+ "the producer and its buffer disagree on RecordBuffer.groupsByShard");
		}
		String shardId = this.shardMap.shardFor(record.hashHigh, record.hashLow);
		ShardQueue queue = this.queues.get(shardId);
		if (queue == null) {
			queue = new ShardQueue(shardId);
			this.queues.put(shardId, queue);
		}
		return queue;
	}

}
