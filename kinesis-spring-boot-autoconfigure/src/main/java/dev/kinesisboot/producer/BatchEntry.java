package dev.kinesisboot.producer;

import java.util.List;

import dev.kinesisboot.aggregation.AggregatedRecord;

/**
 * One Kinesis record of a batch: a record as it was put, or several records of one shard
 * packed into a KPL aggregated record.
 */
final class BatchEntry {

	/** The records it holds; a record's index is its sub-sequence number. */
	final List<PendingRecord> records;

	final byte[] data;

	/**
	 * The data's length, kept so that counting the bytes sent does not read the data
	 * array again when the call settles, long after it was marshalled.
	 */
	final int dataBytes;

	final String partitionKey;

	final String explicitHashKey;

	final int size;

	BatchEntry(PendingRecord record) {
		this.records = List.of(record);
		this.data = record.data;
		this.dataBytes = this.data.length;
		this.partitionKey = record.partitionKey;
		this.explicitHashKey = null;
		this.size = record.size;
	}

	BatchEntry(List<PendingRecord> records, AggregatedRecord packed) {
		this.records = records;
		this.data = packed.data();
		this.dataBytes = this.data.length;
		this.partitionKey = packed.partitionKey();
		this.explicitHashKey = packed.explicitHashKey();
		this.size = packed.size();
	}

}
