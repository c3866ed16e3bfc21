package dev.kinesisboot.aggregation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.kinesisboot.record.RecordExpander;

/**
 * Packs payloads (binary included) into records of netstrings, back to back: for each
 * payload its length in ASCII decimal (no leading zeros), {@code :}, its bytes, and
 * {@code ,}. Nothing comes before the first frame, between frames or after the last one.
 * This is the framing of async-kinesis's {@code MsgpackProcessor} (with MessagePack
 * payloads, {@link RecordFormat#MSGPACK}); with JSON payloads it is
 * {@link RecordFormat#NETSTRING}.
 * <p>
 * Its {@link #unpacker()} reads a record only when it ends exactly on a frame boundary;
 * any other record is handed over whole, logged at WARN, never dropped. Thread-safe.
 */
public final class NetstringPacker implements PayloadPacker {

	/** Longest length prefix read: a record is at most 10 MiB, 8 digits. */
	private static final int MAX_LENGTH_DIGITS = 9;

	private final int maxSize;

	/**
	 * A packer of records of at most {@link RecordAggregator#DEFAULT_MAX_SIZE} bytes.
	 */
	public NetstringPacker() {
		this(RecordAggregator.DEFAULT_MAX_SIZE);
	}

	/**
	 * A packer of records of at most the given size.
	 * @param maxSize the largest record data, leaving room for the partition key under
	 * the record limit
	 */
	public NetstringPacker(int maxSize) {
		this.maxSize = Packing.checkMaxSize(maxSize);
	}

	@Override
	public List<byte[]> pack(List<byte[]> payloads) {
		return Packing.group(payloads, this.maxSize, 0, (payload) -> digits(payload.length) + 2, NetstringPacker::join,
				"Payload");
	}

	@Override
	public RecordExpander unpacker() {
		return unpacker((record, reason) -> {
		});
	}

	/**
	 * The unpacker, telling a listener of records that are not netstrings.
	 * @param onMalformed told of each record handed over whole
	 * @return the expander
	 */
	public RecordExpander unpacker(MalformedRecordListener onMalformed) {
		return Packing.splitting("netstring frames", NetstringPacker::frames, onMalformed);
	}

	/**
	 * The payload ranges of a record of netstrings.
	 * @param data the record data
	 * @return {@code [start, end)} of each payload
	 * @throws IllegalArgumentException naming the byte where the framing breaks
	 */
	static List<int[]> frames(byte[] data) {
		List<int[]> frames = new ArrayList<>();
		int position = 0;
		while (position < data.length) {
			int start = position;
			long length = 0;
			while (position < data.length && data[position] >= '0' && data[position] <= '9') {
				if (position - start == MAX_LENGTH_DIGITS) {
					throw malformed("a length of more than " + MAX_LENGTH_DIGITS + " digits", start);
				}
				length = length * 10 + (data[position] - '0');
				position++;
			}
			if (position == start) {
				throw malformed("no length", start);
			}
			if (data[start] == '0' && position - start > 1) {
				throw malformed("a length with a leading zero", start);
			}
			if (position >= data.length || data[position] != ':') {
				throw malformed("no ':' after the length", position);
			}
			int payloadStart = position + 1;
			long payloadEnd = payloadStart + length;
			if (payloadEnd >= data.length || data[(int) payloadEnd] != ',') {
				throw malformed("a frame of " + length + " bytes that does not end with ',' inside the record", start);
			}
			frames.add(new int[] { payloadStart, (int) payloadEnd });
			position = (int) payloadEnd + 1;
		}
		return frames;
	}

	private static IllegalArgumentException malformed(String what, int at) {
		return new IllegalArgumentException("not netstring frames: " + what + " at byte " + at);
	}

	private static int digits(int length) {
		return Integer.toString(length).length();
	}

	private static byte[] join(List<byte[]> payloads) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] payload : payloads) {
			out.writeBytes(Integer.toString(payload.length).getBytes(StandardCharsets.US_ASCII));
			out.write(':');
			out.writeBytes(payload);
			out.write(',');
		}
		return out.toByteArray();
	}

}
