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
	 * Most records looked at per shard and pass in each of a shard's two deques (retries,
	 * records never sent) when records that may not go are skipped: a hot key with many
	 * queued records costs a bounded scan, and the records behind the scan wait for the
	 * next pass.
	 */
	static final int SCAN_LIMIT = 1_000;

	private static final long MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private final ProducerOptions options;

	private final RateGate gate;

	private final KeysInFlight keys;

	private final boolean ordered;

	private final long bufferNanos;

	private final int scanLimit;

	private int roundRobin;

	BatchAssembler(ProducerOptions options, RateGate gate, KeysInFlight keys) {
		this(options, gate, keys, SCAN_LIMIT);
	}

	/**
	 * An assembler that looks at fewer records per deque and pass than
	 * {@link #SCAN_LIMIT}, so that a simulation reaches the limit with a few records.
	 */
	BatchAssembler(ProducerOptions options, RateGate gate, KeysInFlight keys, int scanLimit) {
		this.scanLimit = scanLimit;
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
	 * Moves entries from a queue into the batch while they fit: its retries first, then
	 * its fresh records. Records that may not go yet (back-off, or a held key) are
	 * skipped and stay in front, in order. With per-key order, a fresh record whose key
	 * has a retry queued waits for it: a retry is older than the fresh records of its
	 * key.
	 */
	private void takeFrom(ShardQueue queue, Batch batch, RecordBuffer buffer, long nowNanos, Set<String> held) {
		if (!takeFrom(queue, false, batch, buffer, nowNanos, held)) {
			takeFrom(queue, true, batch, buffer, nowNanos, held);
		}
	}

	/**
	 * Takes from one of a queue's two deques.
	 * @return {@code true} when the take stopped: the batch is full, or it or the rate
	 * gate refused the next entry
	 */
	private boolean takeFrom(ShardQueue queue, boolean fresh, Batch batch, RecordBuffer buffer, long nowNanos,
			Set<String> held) {
		ArrayDeque<PendingRecord> records = fresh ? queue.fresh : queue.retries;
		ArrayDeque<PendingRecord> skipped = new ArrayDeque<>();
		// the records of the entry being made; one list for the whole take (a packed
		// entry keeps a copy), not one per record
		List<PendingRecord> members = new ArrayList<>();
		// every record taken out of the deque for that entry, skipped ones too, in order
		List<PendingRecord> looked = new ArrayList<>();
		int scanned = 0;
		boolean stopped = false;
		while (!records.isEmpty() && scanned < this.scanLimit) {
			if (batch.isFull()) {
				stopped = true;
				break;
			}
			RecordAggregator aggregator = aggregatorFor(queue, batch);
			members.clear();
			looked.clear();
			int skippedBefore = skipped.size();
			while (!records.isEmpty() && scanned < this.scanLimit) {
				PendingRecord record = records.peekFirst();
				if (!mayGo(queue, fresh, record, nowNanos, held)) {
					looked.add(records.pollFirst());
					skipped.addLast(record);
					scanned++;
					if (this.ordered) {
						held.add(record.partitionKey);
					}
					continue;
				}
				if (aggregator == null) {
					if (members.isEmpty()) {
						members.add(records.pollFirst());
						looked.add(record);
						scanned++;
					}
					break;
				}
				if (!aggregator.tryAdd(UserRecord.of(record.partitionKey, record.data))) {
					if (members.isEmpty()) {
						// too large to share a record: it goes alone
						members.add(records.pollFirst());
						looked.add(record);
						scanned++;
					}
					break;
				}
				members.add(records.pollFirst());
				looked.add(record);
				scanned++;
			}
			if (members.isEmpty()) {
				// the rest was skipped, or the scan reached its limit
				continue;
			}
			boolean packed = members.size() > 1;
			BatchEntry entry = packed ? new BatchEntry(List.copyOf(members), aggregator.build())
					: new BatchEntry(members.get(0));
			if (!batch.fits(entry.size) || this.gate.tryTake(queue.shardId, entry.size, nowNanos) > 0) {
				if (batch.fits(entry.size)) {
					queue.blockedSize = entry.size;
				}
				// back as they were: a packed entry's members and the records
				// skipped among them are interleaved, and a key's records must keep
				// their order
				while (skipped.size() > skippedBefore) {
					skipped.pollLast();
				}
				for (int i = looked.size() - 1; i >= 0; i--) {
					records.addFirst(looked.get(i));
				}
				stopped = true;
				break;
			}
			queue.blockedSize = 0;
			batch.add(entry);
			for (PendingRecord member : members) {
				buffer.taken(member);
				if (!fresh) {
					queue.retrySent(member);
				}
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
			records.addFirst(skipped.pollLast());
		}
		return stopped || batch.isFull();
	}

	/**
	 * Whether a record may go now: its back-off is over and, with per-key order, no
	 * earlier record of its key is unsettled (in flight, skipped in this pass, or, for a
	 * fresh record, queued for a retry).
	 */
	private boolean mayGo(ShardQueue queue, boolean fresh, PendingRecord record, long nowNanos, Set<String> held) {
		if (record.notBeforeNanos > nowNanos) {
			return false;
		}
		return !this.ordered || !(held.contains(record.partitionKey) || this.keys.isBusy(record.partitionKey)
				|| (fresh && queue.hasRetryOf(record.partitionKey)));
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
			if (due(queue, buffer, nowNanos, false).atNanos() <= nowNanos) {
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
			Due next = due(queue, buffer, nowNanos, draining);
			long due = next.atNanos();
			if (due == Long.MAX_VALUE) {
				continue;
			}
			if (this.gate.enabled() && due <= nowNanos) {
				long rateWait = this.gate.nanosUntil(queue.shardId, Math.max(next.size(), queue.blockedSize), nowNanos);
				due = nowNanos
						+ Math.max(MIN_WAIT_NANOS, Math.max(rateWait, rateGated(queue, buffer, nowNanos, draining)));
			}
			wait = Math.min(wait, due - nowNanos);
		}
		return (wait == Long.MAX_VALUE) ? wait : Math.max(MIN_WAIT_NANOS, wait);
	}

	/**
	 * When a record of the queue may go next, rate limits aside, as {@link #takeFrom}
	 * would find it: any of the retries (they come back in any order), or the oldest
	 * fresh record (those behind it were put later). With ordering, it leaves out records
	 * whose key is in flight (a settling call frees them) or behind a retry of the key
	 * that waits (the retry's own time counts).
	 * @return the time and the size of the record that decides, or {@link Due#NEVER} when
	 * nothing that a pass looks at waits on time
	 */
	private Due due(ShardQueue queue, RecordBuffer buffer, long nowNanos, boolean draining) {
		Due due = Due.NEVER;
		Set<String> behind = null;
		int scanned = 0;
		for (PendingRecord record : queue.retries) {
			if (scanned++ >= this.scanLimit) {
				break;
			}
			if (heldBack(record, behind)) {
				continue;
			}
			due = earlier(due, record, buffer, nowNanos, draining);
			if (due.atNanos() <= nowNanos) {
				return due;
			}
			if (this.ordered) {
				behind = (behind != null) ? behind : new HashSet<>();
				behind.add(record.partitionKey);
			}
		}
		scanned = 0;
		for (PendingRecord record : queue.fresh) {
			if (scanned++ >= this.scanLimit) {
				break;
			}
			if (this.ordered && (this.keys.isBusy(record.partitionKey) || queue.hasRetryOf(record.partitionKey))) {
				continue;
			}
			return earlier(due, record, buffer, nowNanos, draining);
		}
		return due;
	}

	/**
	 * With ordering, whether a retry waits for its key: in flight (a settling call frees
	 * it) or behind an earlier retry of the key that waits.
	 */
	private boolean heldBack(PendingRecord record, Set<String> behind) {
		return this.ordered
				&& (this.keys.isBusy(record.partitionKey) || (behind != null && behind.contains(record.partitionKey)));
	}

	/** The earlier of a due time and when a record is due. */
	private Due earlier(Due due, PendingRecord record, RecordBuffer buffer, long nowNanos, boolean draining) {
		boolean now = draining || buffer.isFlushing(record);
		long recordDue = Math.max(record.notBeforeNanos, now ? nowNanos : record.enqueuedNanos + this.bufferNanos);
		return (recordDue < due.atNanos()) ? new Due(recordDue, record.size) : due;
	}

	/**
	 * When a queue's next record is due, and that record's size (what the rate gate must
	 * hold for it).
	 */
	private record Due(long atNanos, int size) {

		static final Due NEVER = new Due(Long.MAX_VALUE, 0);

	}

	/**
	 * Under a rate limit, a shard's records go in batches: the shard waits until its
	 * limits hold what it could send (at most a buffer time's worth), instead of sending
	 * a record or two each time a token comes back. What it could send is its fresh
	 * records and its retries whose back-off is over: a retry still in back-off cannot go
	 * with the batch, so waiting for its token would only hold the others back. With
	 * {@code orderedPerShard} the count also takes in records of a key that is in flight,
	 * which a pass would skip: an over-count that costs at most a buffer time. Not when a
	 * record that could go was flushed, nor when draining, nor with aggregation, which
	 * packs records anyway.
	 * @return 0 when the shard may send now, else the nanoseconds to wait
	 */
	private long rateGated(ShardQueue queue, RecordBuffer buffer, long nowNanos, boolean draining) {
		if (!this.gate.enabled() || this.options.aggregationEnabled() || queue.first() == null || draining) {
			return 0;
		}
		long perBufferTime = this.options.recordsPerSecondPerShard() * this.options.bufferTime().toMillis() / 1000;
		int batch = (int) Math.min(this.options.maxBatchRecords(), Math.max(1, perBufferTime));
		int mayGo = mayGo(queue, buffer, nowNanos, batch);
		return (mayGo < 0) ? 0 : this.gate.nanosUntilRecords(queue.shardId, Math.max(1, mayGo), nowNanos);
	}

	/**
	 * How many of a queue's records could go as far as their own times go, counted up to
	 * a cap: its fresh records, and the retries whose back-off is over among those a pass
	 * looks at (they come back in any order, so each is looked at).
	 * @return the count, or -1 when one of them was flushed (a flush does not wait for a
	 * batch); fresh records are in put order, so the oldest tells
	 */
	private int mayGo(ShardQueue queue, RecordBuffer buffer, long nowNanos, int cap) {
		PendingRecord oldestFresh = queue.fresh.peekFirst();
		if (oldestFresh != null && buffer.isFlushing(oldestFresh)) {
			return -1;
		}
		int count = queue.fresh.size();
		int scanned = 0;
		for (PendingRecord retry : queue.retries) {
			if (scanned++ >= this.scanLimit) {
				break;
			}
			if (retry.notBeforeNanos <= nowNanos) {
				if (buffer.isFlushing(retry)) {
					return -1;
				}
				count++;
			}
		}
		return Math.min(count, cap);
	}

}
