package dev.kinesisboot.aggregation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.record.RecordExpander;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * What the payload packers share.
 */
final class Packing {

	private static final Logger logger = LoggerFactory.getLogger(Packing.class);

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

	/**
	 * An expander that splits each record into payload ranges, or hands a record that
	 * does not split over whole: logged at WARN and reported, never dropped.
	 * @param format the format's name, for the log line
	 * @param splitter the payload ranges ({@code [start, end)} pairs) of a record's data;
	 * throws {@link IllegalArgumentException} with the reason when the data does not
	 * split
	 * @param onMalformed told of records handed over whole
	 */
	static RecordExpander splitting(String format, Function<byte[], List<int[]>> splitter,
			MalformedRecordListener onMalformed) {
		return (streamName, shardId, record) -> {
			byte[] data = record.data().asByteArrayUnsafe();
			List<int[]> ranges;
			try {
				ranges = splitter.apply(data);
			}
			catch (IllegalArgumentException ex) {
				KinesisRecord<byte[]> whole = new KinesisRecord<>(streamName, shardId, record.sequenceNumber(), 0,
						record.partitionKey(), record.approximateArrivalTimestamp(), data, data);
				logger.warn("Record {} of shard {} of stream '{}' is not {}: {}; delivered as one plain record",
						record.sequenceNumber(), shardId, streamName, format, ex.getMessage());
				onMalformed.malformed(whole, ex.getMessage());
				return List.of(whole);
			}
			List<KinesisRecord<byte[]>> parts = new ArrayList<>(ranges.size());
			for (int[] range : ranges) {
				parts.add(part(streamName, shardId, record, parts.size(), data, range[0], range[1]));
			}
			return parts;
		};
	}

	/**
	 * Groups payloads, in order, into records of at most {@code maxSize} bytes.
	 * @param payloads the payloads
	 * @param maxSize the largest record
	 * @param overhead the bytes a record takes besides its payloads
	 * @param perPayload the bytes a payload takes besides its own (its framing)
	 * @param join writes one record of the given payloads
	 * @param what what a payload is, for the error message
	 */
	static List<byte[]> group(List<byte[]> payloads, int maxSize, int overhead, Function<byte[], Integer> perPayload,
			Function<List<byte[]>, byte[]> join, String what) {
		List<byte[]> records = new ArrayList<>();
		List<byte[]> current = new ArrayList<>();
		long size = overhead;
		for (int i = 0; i < payloads.size(); i++) {
			byte[] payload = payloads.get(i);
			long framed = (long) payload.length + perPayload.apply(payload);
			if (overhead + framed > maxSize) {
				throw new IllegalArgumentException(what + " " + i + " of " + payload.length
						+ " bytes does not fit a record of at most " + maxSize + " bytes with its framing");
			}
			if (!current.isEmpty() && size + framed > maxSize) {
				records.add(join.apply(current));
				current = new ArrayList<>();
				size = overhead;
			}
			current.add(payload);
			size += framed;
		}
		if (!current.isEmpty()) {
			records.add(join.apply(current));
		}
		return records;
	}

}
