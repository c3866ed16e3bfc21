package dev.kinesisboot.consumer;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Where a {@link ShardReader} gets the records of its shard from: GetRecords calls
 * ({@link PollingSource}) or a SubscribeToShard subscription ({@link FanOutSource}). The
 * reader asks for one batch at a time and asks again only once the batch was handled, so
 * a source never runs ahead of the handlers.
 */
interface RecordSource {

	/**
	 * Reads the next batch. After a failure the next call starts over from
	 * {@link ShardReader#startingPosition}, so nothing after the last handled record is
	 * skipped.
	 * @return the batch, or a failure for the reader to count and retry with back-off
	 */
	CompletableFuture<Batch> read();

	/**
	 * Whether the reader should read again at once, without back-off, after this failure
	 * (an expired iterator, say).
	 * @param error the failure of {@link #read()}
	 * @return {@code true} to retry at once
	 */
	default boolean retryAtOnce(Throwable error) {
		return false;
	}

	/**
	 * How long the reader waits, after a batch was handled, before the next read.
	 * @param batch the batch
	 * @return the delay in nanoseconds
	 */
	long nextReadDelayNanos(Batch batch);

	/** Stops reading; closes a subscription. Called more than once at times. */
	default void close() {
	}

	/**
	 * Records of one read.
	 *
	 * @param records the records, possibly none
	 * @param millisBehindLatest how far behind the tip of the shard, or {@code null}
	 * @param childShardsSeen whether the response named child shards (a reshard)
	 * @param shardEnded whether the shard is closed and was read to its end
	 */
	record Batch(List<Record> records, Long millisBehindLatest, boolean childShardsSeen, boolean shardEnded) {

		boolean caughtUp() {
			return this.records.isEmpty() || Long.valueOf(0).equals(this.millisBehindLatest);
		}

	}

}
