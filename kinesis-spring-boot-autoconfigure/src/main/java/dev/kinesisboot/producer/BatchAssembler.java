package dev.kinesisboot.producer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.kinesisboot.aggregation.RecordAggregator;
import dev.kinesisboot.aggregation.UserRecord;

/**
 * Takes the records that may go now out of a {@link RecordBuffer} and makes PutRecords
 * batches of them: at most {@link ProducerOptions#maxBatchRecords()} entries and
 * {@link ProducerOptions#maxBatchBytes()} each, shards visited in turn, each entry within
 * its shard's {@link RateGate}, records of one shard packed into aggregated records when
 * aggregation is on. Pure logic: no threads, clients or clocks (time comes in as an
 * argument), so it is tested alone.
 * <p>
 * With {@link ProducerOptions#orderedPerShard()}, a record is taken only when no earlier
 * record of its partition key is unsettled: none in a call in flight
 * ({@link KeysInFlight}), none waiting in the queue for its retry back-off, and none in
 * another entry of the same call (Kinesis may refuse one entry of a call and store a
 * later one). Records of other keys go past a held one. Not thread-safe.
 */
final class BatchAssembler {

	/**
	 * Most records looked at per shard and pass when records of held keys are skipped: a
	 * hot key with many queued records costs a bounded scan, and the records behind the
	 * scan wait for the next pass.
	 */
	static final int SCAN_LIMIT = 1_000;

	private static final long MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private final ProducerOptions options;

	private final RateGate gate;

	private final KeysInFlight keys;

	private final boolean ordered;

	private final long bufferNanos;

	private int roundRobin;

	BatchAssembler(ProducerOptions options, RateGate gate, KeysInFlight keys) {
		this.options = options;
		this.gate = gate;
		this.keys = keys;
		this.ordered = options.orderedPerShard();
		this.bufferNanos = options.bufferTime().toNanos();
	}

	/**
	 * Takes batches out of the buffer.
	 * @param buffer the queued records; those taken leave it
	 * @param nowNanos the current monotonic time
	 * @param slots how many calls may start now
	 * @param draining whether everything queued is due (closing)
	 * @return the batches, at most {@code slots}, none empty
	 */
	List<Batch> assemble(RecordBuffer buffer, long nowNanos, int slots, boolean draining) {
		if (buffer.isEmpty() || slots <= 0 || !isDue(buffer, nowNanos, draining)) {
			return List.of();
		}
		List<Batch> batches = new ArrayList<>();
		List<ShardQueue> order = new ArrayList<>(buffer.queues());
		Set<String> held = new HashSet<>();
		while (batches.size() < slots) {
			Batch batch = new Batch(this.options.maxBatchRecords(), this.options.maxBatchBytes());
			int start = this.roundRobin++;
			for (int i = 0; i < order.size() && !batch.isFull(); i++) {
				ShardQueue queue = order.get(Math.floorMod(start + i, order.size()));
				if (rateGated(queue, buffer, nowNanos, draining) == 0) {
					takeFrom(queue, batch, buffer, nowNanos, held);
				}
			}
			if (batch.entries.isEmpty()) {
				break;
			}
			batches.add(batch);
		}
		return batches;
	}

	/**
	 * Moves entries from a queue into the batch while they fit. Records that may not go
	 * yet (back-off, or a held key) are skipped and stay in front, in order.
	 */
	private void takeFrom(ShardQueue queue, Batch batch, RecordBuffer buffer, long nowNanos, Set<String> held) {
		ArrayDeque<PendingRecord> skipped = new ArrayDeque<>();
		// the records of the entry being made; one list for the whole take (a packed
		// entry
		// keeps a copy), not one per record
		List<PendingRecord> members = new ArrayList<>();
		int scanned = 0;
		while (!batch.isFull() && !queue.records.isEmpty() && scanned < SCAN_LIMIT) {
			RecordAggregator aggregator = aggregatorFor(queue, batch);
			members.clear();
			while (!queue.records.isEmpty() && scanned < SCAN_LIMIT) {
				PendingRecord record = queue.records.peekFirst();
				if (!mayGo(record, nowNanos, held)) {
					queue.records.pollFirst();
					skipped.addLast(record);
					scanned++;
					if (this.ordered) {
						held.add(record.partitionKey);
					}
					continue;
				}
				if (aggregator == null) {
					if (members.isEmpty()) {
						members.add(queue.records.pollFirst());
						scanned++;
					}
					break;
				}
				if (!aggregator.tryAdd(UserRecord.of(record.partitionKey, record.data))) {
					if (members.isEmpty()) {
						// too large to share a record: it goes alone
						members.add(queue.records.pollFirst());
						scanned++;
					}
					break;
				}
				members.add(queue.records.pollFirst());
				scanned++;
			}
			if (members.isEmpty()) {
				break;
			}
			boolean packed = members.size() > 1;
			BatchEntry entry = packed ? new BatchEntry(List.copyOf(members), aggregator.build())
					: new BatchEntry(members.get(0));
			if (!batch.fits(entry.size) || this.gate.tryTake(queue.shardId, entry.size, nowNanos) > 0) {
				if (batch.fits(entry.size)) {
					queue.blockedSize = entry.size;
				}
				for (int i = members.size() - 1; i >= 0; i--) {
					queue.records.addFirst(members.get(i));
				}
				break;
			}
			queue.blockedSize = 0;
			batch.add(entry);
			for (PendingRecord member : members) {
				buffer.taken(member);
				// every batch made is sent (or failed): the attempt counts now, while the
				// record is at hand, not in a second pass over cold records at send time
				member.attempts++;
				if (this.ordered && !this.keys.isBusy(member.partitionKey)) {
					this.keys.hold(member.partitionKey);
					batch.heldKeys.add(member.partitionKey);
				}
			}
		}
		while (!skipped.isEmpty()) {
			queue.records.addFirst(skipped.pollLast());
		}
	}

	private boolean mayGo(PendingRecord record, long nowNanos, Set<String> held) {
		if (record.notBeforeNanos > nowNanos) {
			return false;
		}
		return !this.ordered || !(held.contains(record.partitionKey) || this.keys.isBusy(record.partitionKey));
	}

	/**
	 * An aggregator sized for what the batch can still take, or {@code null} when the
	 * records of this queue go one by one (aggregation off, or their shard unknown).
	 */
	private RecordAggregator aggregatorFor(ShardQueue queue, Batch batch) {
		if (!this.options.aggregationEnabled() || ShardMap.UNKNOWN_SHARD.equals(queue.shardId)) {
			return null;
		}
		long room = Math.min(this.options.aggregationMaxSize(), this.options.maxBatchBytes() - batch.bytes);
		return (room >= ProducerOptions.MIN_AGGREGATION_MAX_SIZE) ? new RecordAggregator((int) room) : null;
	}

	/**
	 * Whether a batch should go now: a full batch is queued, or a record that may go has
	 * passed its buffer time, been flushed, or the producer is draining.
	 */
	boolean isDue(RecordBuffer buffer, long nowNanos, boolean draining) {
		if (draining || buffer.size() >= this.options.maxBatchRecords()
				|| buffer.bytes() >= this.options.maxBatchBytes()) {
			return true;
		}
		for (ShardQueue queue : buffer.queues()) {
			if (dueNanos(queue, buffer, nowNanos, false) <= nowNanos) {
				return true;
			}
		}
		return false;
	}

	/**
	 * How long until a pass could send something, leaving out records that wait for a
	 * call in flight (its settling starts a pass).
	 * @return nanoseconds, at least a millisecond, or {@link Long#MAX_VALUE} when nothing
	 * waits on time
	 */
	long nanosUntilDue(RecordBuffer buffer, long nowNanos, boolean draining) {
		long wait = Long.MAX_VALUE;
		for (ShardQueue queue : buffer.queues()) {
			long due = dueNanos(queue, buffer, nowNanos, draining);
			if (due == Long.MAX_VALUE) {
				continue;
			}
			if (this.gate.enabled() && due <= nowNanos) {
				PendingRecord head = queue.records.peekFirst();
				long rateWait = this.gate.nanosUntil(queue.shardId, Math.max(head.size, queue.blockedSize), nowNanos);
				due = nowNanos
						+ Math.max(MIN_WAIT_NANOS, Math.max(rateWait, rateGated(queue, buffer, nowNanos, draining)));
			}
			wait = Math.min(wait, due - nowNanos);
		}
		return (wait == Long.MAX_VALUE) ? wait : Math.max(MIN_WAIT_NANOS, wait);
	}

	/**
	 * When a record of the queue may go next, rate limits aside. Looks at the retries in
	 * front and the first record never sent, as {@link #takeFrom} takes records around
	 * those that wait for their back-off; with ordering, it leaves out records whose key
	 * is in flight (a settling call frees them) or behind a record of the key that waits.
	 * @return the monotonic time, or {@link Long#MAX_VALUE} when nothing in the first
	 * {@link #SCAN_LIMIT} records waits on time
	 */
	private long dueNanos(ShardQueue queue, RecordBuffer buffer, long nowNanos, boolean draining) {
		long due = Long.MAX_VALUE;
		Set<String> behind = null;
		int scanned = 0;
		for (PendingRecord record : queue.records) {
			if (scanned++ >= SCAN_LIMIT) {
				break;
			}
			if (this.ordered && (this.keys.isBusy(record.partitionKey)
					|| (behind != null && behind.contains(record.partitionKey)))) {
				continue;
			}
			boolean now = draining || buffer.isFlushing(record);
			due = Math.min(due,
					Math.max(record.notBeforeNanos, now ? nowNanos : record.enqueuedNanos + this.bufferNanos));
			if (due <= nowNanos || record.attempts == 0) {
				// due already, or the first record never sent: those behind it were put
				// later, so none is due before it (retries, in front, come back in any
				// order and are all looked at)
				break;
			}
			if (this.ordered) {
				behind = (behind != null) ? behind : new HashSet<>();
				behind.add(record.partitionKey);
			}
		}
		return due;
	}

	/**
	 * Under a rate limit, a shard's records go in batches: the shard waits until its
	 * limits hold what it has queued (at most a buffer time's worth), instead of sending
	 * a record or two each time a token comes back. Not when flushing or draining, nor
	 * with aggregation, which packs records anyway.
	 * @return 0 when the shard may send now, else the nanoseconds to wait
	 */
	private long rateGated(ShardQueue queue, RecordBuffer buffer, long nowNanos, boolean draining) {
		PendingRecord head = queue.records.peekFirst();
		if (!this.gate.enabled() || this.options.aggregationEnabled() || head == null || draining
				|| buffer.isFlushing(head)) {
			return 0;
		}
		long perBufferTime = this.options.recordsPerSecondPerShard() * this.options.bufferTime().toMillis() / 1000;
		int wanted = (int) Math.min(Math.min(queue.records.size(), this.options.maxBatchRecords()),
				Math.max(1, perBufferTime));
		return this.gate.nanosUntilRecords(queue.shardId, wanted, nowNanos);
	}

}
