package dev.kinesisboot.consumer;

import dev.kinesisboot.record.KinesisRecord;

/**
 * Handles one record at a time. Records of a shard come in order, one after the other;
 * records of different shards may be handled at the same time on different threads.
 */
@FunctionalInterface
public interface RecordHandler {

	/**
	 * Handles a record. Returning normally marks it handled; throwing leaves it
	 * unhandled, and the {@link ConsumerErrorHandler} decides what happens next.
	 * @param record the record
	 * @throws Exception when the record could not be handled
	 */
	void handle(KinesisRecord<byte[]> record) throws Exception;

}
