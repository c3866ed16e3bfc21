package dev.kinesisboot.faults;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.testsupport.ForwardingCheckpointer;

/**
 * A checkpointer that notes when each checkpoint was written, so that a test can check
 * afterwards that no checkpoint ever passed a record the handler had not finished.
 * <p>
 * Thread-safe.
 */
final class AuditingCheckpointer extends ForwardingCheckpointer {

	private final Map<String, Long> handledAt = new ConcurrentHashMap<>();

	private final List<Write> writes = new CopyOnWriteArrayList<>();

	AuditingCheckpointer(Checkpointer delegate) {
		super(delegate);
	}

	/**
	 * Notes that the handler finished a record; call at the end of the handler.
	 * @param shardId the record's shard
	 * @param sequenceNumber the record's sequence number
	 */
	void handled(String shardId, String sequenceNumber) {
		this.handledAt.putIfAbsent(shardId + "/" + sequenceNumber, System.nanoTime());
	}

	/**
	 * Checkpoint writes so far.
	 * @return the count
	 */
	int writes() {
		return this.writes.size();
	}

	/**
	 * The checkpoint writes that passed a record not handled by then.
	 * @param puts every record put to the stream
	 * @return descriptions of the violations, empty when there were none
	 */
	List<String> violations(Collection<PutResult> puts) {
		// per shard: the records in order, and the latest time any record up to each
		// one was handled (Long.MAX_VALUE when one never was)
		Map<String, List<PutResult>> byShard = new HashMap<>();
		puts.forEach((put) -> byShard.computeIfAbsent(put.shardId(), (key) -> new ArrayList<>()).add(put));
		Map<String, long[]> latestHandled = new HashMap<>();
		byShard.forEach((shard, records) -> {
			records.sort(Comparator.comparing((PutResult put) -> new BigInteger(put.sequenceNumber())));
			long[] latest = new long[records.size()];
			long max = Long.MIN_VALUE;
			for (int i = 0; i < latest.length; i++) {
				Long handled = this.handledAt.get(shard + "/" + records.get(i).sequenceNumber());
				max = (handled == null) ? Long.MAX_VALUE : Math.max(max, handled);
				latest[i] = max;
			}
			latestHandled.put(shard, latest);
		});
		List<String> violations = new ArrayList<>();
		for (Write write : this.writes) {
			List<PutResult> records = byShard.get(write.shardId());
			if (write.checkpoint().isShardEnd() || write.checkpoint().isTimestamp() || records == null) {
				continue;
			}
			BigInteger position = new BigInteger(write.checkpoint().sequenceNumber());
			int covered = 0; // records at or before the checkpoint
			int high = records.size();
			while (covered < high) {
				int mid = (covered + high) >>> 1;
				if (new BigInteger(records.get(mid).sequenceNumber()).compareTo(position) <= 0) {
					covered = mid + 1;
				}
				else {
					high = mid;
				}
			}
			if (covered > 0 && latestHandled.get(write.shardId())[covered - 1] - write.nanos() > 0) {
				violations.add("checkpoint " + write.checkpoint() + " of " + write.shardId()
						+ " passed a record that was not handled yet");
			}
		}
		return violations;
	}

	@Override
	public CompletableFuture<Void> checkpoint(String shardId, Checkpoint checkpoint) {
		this.writes.add(new Write(shardId, checkpoint, System.nanoTime()));
		return super.checkpoint(shardId, checkpoint);
	}

	private record Write(String shardId, Checkpoint checkpoint, long nanos) {
	}

}
