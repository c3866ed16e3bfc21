package dev.kinesisboot.aggregation;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.record.RecordExpander;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Packs arbitrary payloads (binary included) into records of length-prefixed frames: for
 * each payload, its length as a 4-byte big-endian unsigned number, then its bytes. A
 * reader in any language splits a record with a few lines (in Python,
 * {@code struct.unpack(">I", data[i:i+4])}); there is no magic and no checksum, so use it
 * only on streams whose every record is packed this way.
 * <p>
 * Its {@link #unpacker()} hands over a record whose frames do not add up to its length as
 * one plain record, logged at WARN, never dropped. Thread-safe.
 */
public final class LengthPrefixedPacker implements PayloadPacker {

	private static final Logger logger = LoggerFactory.getLogger(LengthPrefixedPacker.class);

	private static final int PREFIX_LENGTH = 4;

	private final int maxSize;

	/**
	 * A packer of records of at most {@link RecordAggregator#DEFAULT_MAX_SIZE} bytes.
	 */
	public LengthPrefixedPacker() {
		this(RecordAggregator.DEFAULT_MAX_SIZE);
	}

	/**
	 * A packer of records of at most the given size.
	 * @param maxSize the largest record data, leaving room for the partition key under
	 * the 1 MiB limit
	 */
	public LengthPrefixedPacker(int maxSize) {
		this.maxSize = Packing.checkMaxSize(maxSize);
	}

	@Override
	public List<byte[]> pack(List<byte[]> payloads) {
		List<byte[]> records = new ArrayList<>();
		List<byte[]> current = new ArrayList<>();
		int size = 0;
		for (int i = 0; i < payloads.size(); i++) {
			byte[] payload = payloads.get(i);
			int frame = PREFIX_LENGTH + payload.length;
			if (frame > this.maxSize) {
				throw new IllegalArgumentException(
						"Payload " + i + " of " + payload.length + " bytes does not fit a record of at most "
								+ this.maxSize + " bytes with its " + PREFIX_LENGTH + "-byte length");
			}
			if (size + frame > this.maxSize) {
				records.add(join(current, size));
				current.clear();
				size = 0;
			}
			current.add(payload);
			size += frame;
		}
		if (!current.isEmpty()) {
			records.add(join(current, size));
		}
		return records;
	}

	@Override
	public RecordExpander unpacker() {
		return LengthPrefixedPacker::unpack;
	}

	private static List<KinesisRecord<byte[]>> unpack(String streamName, String shardId, Record record) {
		byte[] data = record.data().asByteArrayUnsafe();
		ByteBuffer buffer = ByteBuffer.wrap(data);
		List<KinesisRecord<byte[]>> result = new ArrayList<>();
		while (buffer.remaining() >= PREFIX_LENGTH) {
			long length = Integer.toUnsignedLong(buffer.getInt());
			if (length > buffer.remaining()) {
				break;
			}
			int start = buffer.position();
			result.add(Packing.part(streamName, shardId, record, result.size(), data, start, start + (int) length));
			buffer.position(start + (int) length);
		}
		if (buffer.hasRemaining()) {
			logger.warn(
					"Record {} of shard {} of stream '{}' is not made of length-prefixed frames "
							+ "(byte {} of {}); delivered as one plain record",
					record.sequenceNumber(), shardId, streamName, buffer.position(), data.length);
			return List.of(new KinesisRecord<>(streamName, shardId, record.sequenceNumber(), 0, record.partitionKey(),
					record.approximateArrivalTimestamp(), data, data));
		}
		return result;
	}

	private static byte[] join(List<byte[]> payloads, int size) {
		ByteBuffer buffer = ByteBuffer.allocate(size);
		for (byte[] payload : payloads) {
			buffer.putInt(payload.length);
			buffer.put(payload);
		}
		return buffer.array();
	}

}
