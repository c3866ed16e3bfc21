package dev.kinesisboot.producer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records waiting to be sent, one queue per shard of the current {@link ShardMap},
 * each oldest first, with their count and bytes against the producer's queue bound.
 * Records of one partition key are always in one queue, in put order (a record waiting
 * for a retry is back in front of the later ones). Not thread-safe: the producer uses it
 * under its lock.
 */
final class RecordBuffer {

	private final Map<String, ShardQueue> queues = new LinkedHashMap<>();

	private final int capacity;

	private ShardMap shardMap = ShardMap.empty();

	private int size;

	private long bytes;

	private long lastSeq;

	private long flushThroughSeq;

	RecordBuffer(int capacity) {
		this.capacity = capacity;
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
		queueFor(record).records.addLast(record);
		this.size++;
		this.bytes += record.size;
	}

	/**
	 * Puts records back in front of their shards' queues, keeping their order.
	 * @param records records taken earlier, in the order they were queued
	 */
	void returnToFront(List<PendingRecord> records) {
		for (int i = records.size() - 1; i >= 0; i--) {
			PendingRecord record = records.get(i);
			queueFor(record).records.addFirst(record);
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
		List<ShardQueue> old = new ArrayList<>(this.queues.values());
		this.queues.clear();
		for (ShardQueue queue : old) {
			for (PendingRecord record : queue.records) {
				queueFor(record).records.addLast(record);
			}
		}
	}

	/**
	 * Empties the buffer.
	 * @return the records it held
	 */
	List<PendingRecord> removeAll() {
		List<PendingRecord> all = new ArrayList<>(this.size);
		for (ShardQueue queue : this.queues.values()) {
			all.addAll(queue.records);
			queue.records.clear();
		}
		this.size = 0;
		this.bytes = 0;
		return all;
	}

	private ShardQueue queueFor(PendingRecord record) {
		String shardId = this.shardMap.shardFor(record.hashHigh, record.hashLow);
		ShardQueue queue = this.queues.get(shardId);
		if (queue == null) {
			queue = new ShardQueue(shardId);
			this.queues.put(shardId, queue);
		}
		return queue;
	}

}
