package dev.kinesisboot.producer;

import java.util.List;
import java.util.function.Consumer;

import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Completes the futures of a call whose every entry Kinesis stored: one task per call on
 * the callback executor, which makes each record's {@link PutResult} as it completes the
 * record's future. The common case, so the SDK's thread that settles the call only checks
 * that nothing failed, and the records are read on one thread instead of two. Notices a
 * shard the map does not know and reports it once.
 */
final class StoredCallCompletion implements Completion {

	private final Batch batch;

	private final List<PutRecordsResultEntry> results;

	private final ShardMap shardMap;

	private final Runnable onUnknownShard;

	/**
	 * A completion for a call.
	 * @param batch the batch sent
	 * @param results the call's results, one per entry, each with a sequence number
	 * @param shardMap the shard map the call was settled under
	 * @param onUnknownShard run once when a result names a shard the map does not know
	 */
	StoredCallCompletion(Batch batch, List<PutRecordsResultEntry> results, ShardMap shardMap, Runnable onUnknownShard) {
		this.batch = batch;
		this.results = results;
		this.shardMap = shardMap;
		this.onUnknownShard = onUnknownShard;
	}

	@Override
	public void forEachRecord(Consumer<PendingRecord> action) {
		this.batch.forEachRecord(action);
	}

	@Override
	public void run() {
		ShardIds shardIds = new ShardIds(this.shardMap);
		for (int i = 0; i < this.batch.entries.size(); i++) {
			BatchEntry entry = this.batch.entries.get(i);
			PutRecordsResultEntry result = this.results.get(i);
			String shardId = shardIds.resolve(result.shardId());
			for (int sub = 0; sub < entry.recordCount(); sub++) {
				entry.record(sub).future.complete(new PutResult(shardId, result.sequenceNumber(), sub));
			}
		}
		if (shardIds.sawUnknown()) {
			this.onUnknownShard.run();
		}
	}

}
