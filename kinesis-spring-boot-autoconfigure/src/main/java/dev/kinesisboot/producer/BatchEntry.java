package dev.kinesisboot.producer;

import java.util.List;

import dev.kinesisboot.aggregation.AggregatedRecord;

/**
 * One Kinesis record of a batch: a record as it was put, or several records of one shard
 * packed into a KPL aggregated record.
 */
final class BatchEntry {

	/** The record, when the entry is one record as it was put; {@code null} if packed. */
	private final PendingRecord single;

	/** The packed records, in sub-sequence order; {@code null} for a single record. */
	private final List<PendingRecord> packed;

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
		// no list for the common case: one object less per record
		this.single = record;
		this.packed = null;
		this.data = record.data;
		this.dataBytes = this.data.length;
		this.partitionKey = record.partitionKey;
		this.explicitHashKey = null;
		this.size = record.size;
	}

	BatchEntry(List<PendingRecord> records, AggregatedRecord packed) {
		this.single = null;
		this.packed = records;
		this.data = packed.data();
		this.dataBytes = this.data.length;
		this.partitionKey = packed.partitionKey();
		this.explicitHashKey = packed.explicitHashKey();
		this.size = packed.size();
	}

	/**
	 * How many records the entry holds.
	 * @return 1, or the number of packed records
	 */
	int recordCount() {
		return (this.single != null) ? 1 : this.packed.size();
	}

	/**
	 * One of the entry's records.
	 * @param subSequence its index, which is its sub-sequence number when packed
	 * @return the record
	 */
	PendingRecord record(int subSequence) {
		return (this.single != null) ? this.single : this.packed.get(subSequence);
	}

}
