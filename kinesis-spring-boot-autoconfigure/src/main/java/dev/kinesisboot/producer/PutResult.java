package dev.kinesisboot.producer;

/**
 * Where Kinesis stored a record.
 *
 * @param shardId the shard, such as {@code shardId-000000000003}
 * @param sequenceNumber the sequence number of the Kinesis record that holds it
 * @param subSequenceNumber its index inside that Kinesis record when it was aggregated
 * (KPL format), {@code 0} otherwise; with the sequence number it is the position a
 * consumer checkpoints
 */
public record PutResult(String shardId, String sequenceNumber, long subSequenceNumber) {

	/**
	 * Where Kinesis stored a record that was not aggregated.
	 * @param shardId the shard
	 * @param sequenceNumber the record's sequence number in that shard
	 */
	public PutResult(String shardId, String sequenceNumber) {
		this(shardId, sequenceNumber, 0);
	}

}
