package dev.kinesisboot.record;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Function;

/**
 * One record as handed to a handler.
 *
 * @param <T> the payload type
 * @param streamName the stream
 * @param shardId the shard it was read from
 * @param sequenceNumber its sequence number in the shard
 * @param subSequenceNumber its index inside an aggregated (KPL) record, {@code 0} for a
 * plain one
 * @param partitionKey its partition key
 * @param approximateArrivalTimestamp when Kinesis stored it
 * @param data the raw bytes
 * @param payload the payload (the raw bytes until converted)
 */
public record KinesisRecord<T>(String streamName, String shardId, String sequenceNumber, long subSequenceNumber,
		String partitionKey, Instant approximateArrivalTimestamp, byte[] data, T payload) {

	/**
	 * The data as UTF-8 text.
	 * @return the text
	 */
	public String dataAsString() {
		return new String(this.data, StandardCharsets.UTF_8);
	}

	/**
	 * The same record with a converted payload.
	 * @param <R> the new payload type
	 * @param converter turns the raw bytes into the payload
	 * @return the converted record
	 */
	public <R> KinesisRecord<R> withPayload(Function<byte[], R> converter) {
		return new KinesisRecord<>(this.streamName, this.shardId, this.sequenceNumber, this.subSequenceNumber,
				this.partitionKey, this.approximateArrivalTimestamp, this.data, converter.apply(this.data));
	}

	@Override
	public String toString() {
		return "KinesisRecord[" + this.streamName + "/" + this.shardId + "/" + this.sequenceNumber
				+ ((this.subSequenceNumber != 0) ? ":" + this.subSequenceNumber : "") + ", key=" + this.partitionKey
				+ ", " + this.data.length + " bytes]";
	}

}
