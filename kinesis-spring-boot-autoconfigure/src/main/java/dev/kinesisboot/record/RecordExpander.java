package dev.kinesisboot.record;

import java.util.List;

import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Turns one Kinesis record into the user records it holds: one for a plain record, many
 * for an aggregated (KPL) record. The consumer calls it for every record it reads; its
 * default is {@link dev.kinesisboot.aggregation.RecordDeaggregator}, which unpacks KPL
 * aggregated records and hands every other record over as it is.
 */
@FunctionalInterface
public interface RecordExpander {

	/**
	 * Expands a record.
	 * @param streamName the stream
	 * @param shardId the shard
	 * @param record the Kinesis record
	 * @return the user records, in order, each with its sub-sequence number
	 */
	List<KinesisRecord<byte[]>> expand(String streamName, String shardId, Record record);

	/**
	 * Hands every record over as it is, aggregated or not (to read the raw bytes of a
	 * stream).
	 * @return the expander
	 */
	static RecordExpander plain() {
		return (streamName, shardId,
				record) -> List.of(new KinesisRecord<>(streamName, shardId, record.sequenceNumber(), 0,
						record.partitionKey(), record.approximateArrivalTimestamp(), record.data().asByteArrayUnsafe(),
						record.data().asByteArrayUnsafe()));
	}

}
