package dev.kinesisboot.aggregation;

import java.util.Arrays;

import dev.kinesisboot.record.KinesisRecord;

import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * What the payload packers share.
 */
final class Packing {

	private Packing() {
	}

	static int checkMaxSize(int maxSize) {
		if (maxSize < 1 || maxSize > RecordAggregator.KINESIS_MAX_RECORD_BYTES) {
			throw new IllegalArgumentException("maxSize must be between 1 and "
					+ RecordAggregator.KINESIS_MAX_RECORD_BYTES + " (the Kinesis record limit), got " + maxSize);
		}
		return maxSize;
	}

	/** One payload of a packed record, as a user record with its index. */
	static KinesisRecord<byte[]> part(String streamName, String shardId, Record record, int index, byte[] data,
			int start, int end) {
		byte[] payload = Arrays.copyOfRange(data, start, end);
		return new KinesisRecord<>(streamName, shardId, record.sequenceNumber(), index, record.partitionKey(),
				record.approximateArrivalTimestamp(), payload, payload);
	}

}
