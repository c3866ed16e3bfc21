package dev.kinesisboot.consumer;

import java.util.List;

import dev.kinesisboot.record.KinesisRecord;

/**
 * Handles the records of one GetRecords call of one shard at once, in order. Batches of a
 * shard come one after the other; batches of different shards may be handled at the same
 * time.
 */
@FunctionalInterface
public interface BatchHandler {

	/**
	 * Handles a batch. Returning normally marks every record handled; throwing leaves
	 * them all unhandled, and the {@link ConsumerErrorHandler} decides what happens next.
	 * @param records the records, never empty
	 * @throws Exception when the batch could not be handled
	 */
	void handle(List<KinesisRecord<byte[]>> records) throws Exception;

}
