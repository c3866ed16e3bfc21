package dev.kinesisboot.consumer;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.testsupport.SimulatedKinesis;
import dev.kinesisboot.testsupport.VirtualScheduler;

import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * What happened in one simulation run, and the invariants checked as it happens: every
 * record handled at least once; no stored checkpoint past a record not yet handled;
 * {@code SHARD_END} only after every record of the shard was handled, and never replaced;
 * a record handled again only when it lies past the checkpoint its worker started the
 * shard from (duplicates bounded by what was handled since the last stored checkpoint); a
 * child shard's records only after all of its parents' records; first deliveries of a
 * partition key in put order; and no record handled by a worker later than the documented
 * bound after the store moved its lease away. Keeps the last events as a trace for the
 * failure report.
 */
final class SimulationHistory implements SimulatedLeaseStore.Observer {

	private static final int TRACE_LINES = Integer.getInteger("simulation.traceLines", 400);

	private final VirtualScheduler clock;

	private final SimulatedKinesis stream;

	private final long lossBoundNanos;

	private final Map<String, Put> puts = new LinkedHashMap<>();

	private final Map<String, Integer> deliveries = new HashMap<>();

	private final Map<String, Integer> lastFirstDeliveryByKey = new HashMap<>();

	/** shard, then worker: when the store stopped showing the worker as the owner. */
	private final Map<String, Map<String, Long>> lostAt = new HashMap<>();

	private final List<String> violations = new ArrayList<>();

	/** shard, then worker: the checkpoint the worker read when it started the shard. */
	private final Map<String, Map<String, StartRead>> startedFrom = new HashMap<>();

	/** The checkpoint stored per shard. */
	private final Map<String, Checkpoint> stored = new HashMap<>();

	/** With LATEST: the first start marker stored per shard. */
	private final Map<String, java.time.Instant> startMarkers = new HashMap<>();

	private boolean fromLatest;

	private final Deque<String> trace = new ArrayDeque<>();

	private int duplicates;

	private long longestAfterLoss;

	SimulatedLeaseStore store;

	SimulationHistory(VirtualScheduler clock, SimulatedKinesis stream, Duration lossBound) {
		this.clock = clock;
		this.stream = stream;
		this.lossBoundNanos = lossBound.toNanos();
	}

	/**
	 * Reading starts at the tip (LATEST): a shard's records before the group's start are
	 * not required (child shards are read whole). The start is where the first LATEST
	 * iterator of the shard pointed, or, when none was opened (the first open failed and
	 * the next went to the marker), the first start marker stored for it.
	 */
	void readFromLatest() {
		this.fromLatest = true;
	}

	private boolean required(Put put) {
		if (!this.fromLatest || !this.stream.parents(put.shardId).isEmpty()) {
			return true;
		}
		Integer tip = this.stream.firstLatestIndex(put.shardId);
		if (tip != null) {
			return put.indexInShard >= tip;
		}
		java.time.Instant marker = this.startMarkers.get(put.shardId);
		return marker != null && !put.arrival.isBefore(marker);
	}

	void event(String text) {
		this.trace.addLast(String.format("%10.3f s  %s", this.clock.nanoTime() / 1e9, text));
		if (this.trace.size() > TRACE_LINES) {
			this.trace.removeFirst();
		}
	}

	void put(String key, int keyIndex) {
		String data = key + "#" + keyIndex;
		SimulatedKinesis.Stored stored = this.stream.put(key, data);
		this.puts.put(data, new Put(key, keyIndex, stored.shardId(), stored.record().sequenceNumber(),
				stored.record().approximateArrivalTimestamp(), this.stream.records(stored.shardId()).size() - 1));
	}

	int putCount() {
		return this.puts.size();
	}

	boolean allHandled() {
		if (!this.fromLatest) {
			return this.deliveries.size() == this.puts.size();
		}
		return this.puts.entrySet()
			.stream()
			.allMatch((entry) -> this.deliveries.containsKey(entry.getKey()) || !required(entry.getValue()));
	}

	void handled(String worker, KinesisRecord<byte[]> record) {
		String data = new String(record.data(), StandardCharsets.UTF_8);
		Put put = this.puts.get(data);
		if (put == null) {
			violation("worker " + worker + " handled " + data + ", which was never put");
			return;
		}
		int count = this.deliveries.merge(data, 1, Integer::sum);
		event(worker + " handled " + data + " of " + put.shardId + " at " + put.sequence
				+ ((count > 1) ? " (again)" : ""));
		if (count > 1) {
			this.duplicates++;
			StartRead read = this.startedFrom.getOrDefault(put.shardId, Map.of()).get(worker);
			Checkpoint from = (read != null) ? read.checkpoint() : null;
			if (from != null && !from.isTimestamp() && (from.isShardEnd()
					|| new BigInteger(put.sequence).compareTo(new BigInteger(from.sequenceNumber())) <= 0)) {
				violation(worker + " handled " + data + " again, though the checkpoint it started " + put.shardId
						+ " from (" + from.toText() + ") covers it: a duplicate beyond the records handled since the "
						+ "last stored checkpoint");
			}
		}
		else if (required(put)) {
			Integer previous = this.lastFirstDeliveryByKey.put(put.key, put.keyIndex);
			if (previous != null && previous > put.keyIndex) {
				violation("key " + put.key + ": record " + put.keyIndex + " handled first after record " + previous);
			}
		}
		for (String parent : this.stream.parents(put.shardId)) {
			for (Record before : this.stream.records(parent)) {
				String earlier = before.data().asUtf8String();
				if (!this.deliveries.containsKey(earlier) && required(this.puts.get(earlier))) {
					violation(worker + " handled " + data + " of child shard " + put.shardId + " before "
							+ before.data().asUtf8String() + " of its parent " + parent);
					break;
				}
			}
		}
		Lease lease = this.store.lease(put.shardId);
		if (lease == null || !worker.equals(lease.owner())) {
			Long lost = this.lostAt.getOrDefault(put.shardId, Map.of()).get(worker);
			if (lost == null) {
				violation(worker + " handled " + data + " of shard " + put.shardId + ", whose lease it never held");
			}
			else {
				long after = this.clock.nanoTime() - lost;
				this.longestAfterLoss = Math.max(this.longestAfterLoss, after);
				if (after > this.lossBoundNanos) {
					violation(worker + " handled " + data + " of shard " + put.shardId + " " + after / 1_000_000
							+ " ms after the store moved its lease away (bound " + this.lossBoundNanos / 1_000_000
							+ " ms)");
				}
			}
		}
	}

	@Override
	public void ownerChanged(String shardId, String from, String to) {
		event("lease of " + shardId + ": " + from + " -> " + to);
		Map<String, Long> byWorker = this.lostAt.computeIfAbsent(shardId, (id) -> new HashMap<>());
		if (from != null) {
			byWorker.put(from, this.clock.nanoTime());
		}
		if (to != null) {
			byWorker.remove(to);
		}
	}

	@Override
	public void forgotten() {
		this.stored.clear();
	}

	@Override
	public void checkpointRead(String workerId, String shardId, Checkpoint checkpoint, long sent) {
		Map<String, StartRead> byWorker = this.startedFrom.computeIfAbsent(shardId, (id) -> new HashMap<>());
		StartRead before = byWorker.get(workerId);
		// a read that arrived late, after a later one, was not the one the worker used
		if (before == null || sent > before.sent()) {
			byWorker.put(workerId, new StartRead(sent, checkpoint));
		}
	}

	@Override
	public void checkpointStored(String workerId, String shardId, Checkpoint checkpoint) {
		event(workerId + " stored checkpoint " + checkpoint.toText() + " of " + shardId);
		Checkpoint before = this.stored.put(shardId, checkpoint);
		if (before != null && before.isShardEnd() && !checkpoint.isShardEnd()) {
			violation(workerId + " stored checkpoint " + checkpoint.toText() + " of " + shardId
					+ " over SHARD_END: an ended shard would be read again");
		}
		if (checkpoint.isTimestamp()) {
			this.startMarkers.putIfAbsent(shardId, checkpoint.timestamp());
			return;
		}
		BigInteger at = checkpoint.isShardEnd() ? null : new BigInteger(checkpoint.sequenceNumber());
		for (Record record : this.stream.records(shardId)) {
			if (at != null && new BigInteger(record.sequenceNumber()).compareTo(at) > 0) {
				break;
			}
			String data = record.data().asUtf8String();
			if (!this.deliveries.containsKey(data) && required(this.puts.get(data))) {
				violation(workerId + " stored checkpoint " + checkpoint.toText() + " of " + shardId + " before "
						+ record.data().asUtf8String() + " at " + record.sequenceNumber() + " was handled");
				return;
			}
		}
	}

	/** At the end of a run: nothing may be lost. */
	void checkNothingLost() {
		List<String> lost = this.puts.entrySet()
			.stream()
			.filter((entry) -> !this.deliveries.containsKey(entry.getKey()) && required(entry.getValue()))
			.map(Map.Entry::getKey)
			.toList();
		if (!lost.isEmpty()) {
			violation(lost.size() + " of " + this.puts.size() + " records never handled, for example "
					+ lost.subList(0, Math.min(5, lost.size())));
		}
	}

	void violation(String text) {
		event("VIOLATION: " + text);
		this.violations.add(text);
	}

	List<String> violations() {
		return this.violations;
	}

	int duplicates() {
		return this.duplicates;
	}

	long longestAfterLossNanos() {
		return this.longestAfterLoss;
	}

	String trace() {
		return String.join("\n", this.trace);
	}

	/** The last checkpoint read a worker sent for a shard, and its answer. */
	private record StartRead(long sent, Checkpoint checkpoint) {
	}

	private record Put(String key, int keyIndex, String shardId, String sequence, java.time.Instant arrival,
			int indexInShard) {
	}

}
