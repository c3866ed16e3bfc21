package dev.kinesisboot.aggregation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The few pieces of the KPL aggregated-record format (magic, protobuf wire format, MD5
 * trailer) shared by {@link RecordAggregator} and {@link RecordDeaggregator}. Stateless
 * and thread-safe.
 */
final class KplFormat {

	/** The four bytes every aggregated record starts with. */
	static final byte[] MAGIC = { (byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2 };

	/** Length of the MD5 trailer. */
	static final int DIGEST_LENGTH = 16;

	/** Bytes an aggregated record has besides its protobuf message. */
	static final int OVERHEAD = MAGIC.length + DIGEST_LENGTH;

	/** Protobuf wire type of a varint field. */
	static final int VARINT = 0;

	/** Protobuf wire type of a 64-bit field. */
	static final int FIXED64 = 1;

	/** Protobuf wire type of a length-delimited field (string, bytes, message). */
	static final int LENGTH_DELIMITED = 2;

	/** Protobuf wire type of a 32-bit field. */
	static final int FIXED32 = 5;

	// AggregatedRecord fields
	static final int PARTITION_KEY_TABLE = 1;

	static final int EXPLICIT_HASH_KEY_TABLE = 2;

	static final int RECORDS = 3;

	// Record fields
	static final int PARTITION_KEY_INDEX = 1;

	static final int EXPLICIT_HASH_KEY_INDEX = 2;

	static final int DATA = 3;

	private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
		try {
			return MessageDigest.getInstance("MD5");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("MD5 is required by the Java platform", ex);
		}
	});

	private KplFormat() {
	}

	static byte[] md5(byte[] data, int offset, int length) {
		MessageDigest digest = MD5.get();
		digest.update(data, offset, length);
		return digest.digest();
	}

	static byte[] md5(byte[] data) {
		return md5(data, 0, data.length);
	}

	static boolean startsWithMagic(byte[] data) {
		if (data.length < MAGIC.length) {
			return false;
		}
		for (int i = 0; i < MAGIC.length; i++) {
			if (data[i] != MAGIC[i]) {
				return false;
			}
		}
		return true;
	}

	/** The key of a field: its number and wire type. */
	static int tag(int field, int wireType) {
		return (field << 3) | wireType;
	}

	/** Bytes of an unsigned varint. */
	static int varintSize(long value) {
		int size = 1;
		while ((value & ~0x7FL) != 0) {
			value >>>= 7;
			size++;
		}
		return size;
	}

	/**
	 * Bytes of a length-delimited field with a one-byte tag and a payload of the length.
	 */
	static int lengthDelimitedSize(int length) {
		return 1 + varintSize(length) + length;
	}

	static int utf8Length(String text) {
		return text.getBytes(StandardCharsets.UTF_8).length;
	}

	/** Writes protobuf fields into a byte array sized in advance. Not thread-safe. */
	static final class Writer {

		private final byte[] buffer;

		private int position;

		Writer(byte[] buffer, int position) {
			this.buffer = buffer;
			this.position = position;
		}

		int position() {
			return this.position;
		}

		void raw(byte[] bytes) {
			System.arraycopy(bytes, 0, this.buffer, this.position, bytes.length);
			this.position += bytes.length;
		}

		void varint(long value) {
			while ((value & ~0x7FL) != 0) {
				this.buffer[this.position++] = (byte) ((value & 0x7F) | 0x80);
				value >>>= 7;
			}
			this.buffer[this.position++] = (byte) value;
		}

		void varintField(int field, long value) {
			varint(tag(field, VARINT));
			varint(value);
		}

		void bytesField(int field, byte[] bytes) {
			varint(tag(field, LENGTH_DELIMITED));
			varint(bytes.length);
			raw(bytes);
		}

		/** Starts a length-delimited field whose payload the caller writes next. */
		void lengthDelimitedHeader(int field, int length) {
			varint(tag(field, LENGTH_DELIMITED));
			varint(length);
		}

	}

	/**
	 * Reads protobuf fields from a region of a byte array; throws
	 * {@link MalformedException} on anything that is not well-formed. Not thread-safe.
	 */
	static final class Reader {

		private final byte[] buffer;

		private int position;

		private final int limit;

		Reader(byte[] buffer, int offset, int limit) {
			this.buffer = buffer;
			this.position = offset;
			this.limit = limit;
		}

		boolean hasMore() {
			return this.position < this.limit;
		}

		int position() {
			return this.position;
		}

		long varint() {
			long result = 0;
			for (int shift = 0; shift < 64; shift += 7) {
				if (this.position >= this.limit) {
					throw new MalformedException("truncated varint at byte " + this.position);
				}
				byte b = this.buffer[this.position++];
				result |= (long) (b & 0x7F) << shift;
				if ((b & 0x80) == 0) {
					return result;
				}
			}
			throw new MalformedException("varint longer than 10 bytes at byte " + this.position);
		}

		/**
		 * Reads a length and returns where the payload starts; the reader moves past it.
		 */
		int lengthDelimited() {
			long length = varint();
			if (length < 0 || length > this.limit - this.position) {
				throw new MalformedException(
						"field of " + length + " bytes at byte " + this.position + " runs past the end");
			}
			int start = this.position;
			this.position += (int) length;
			return start;
		}

		/** Skips a field of an unknown number (tags, fields of newer versions). */
		void skip(int wireType) {
			switch (wireType) {
				case VARINT -> varint();
				case FIXED64 -> advance(8);
				case LENGTH_DELIMITED -> lengthDelimited();
				case FIXED32 -> advance(4);
				default -> throw new MalformedException(
						"unsupported wire type " + wireType + " at byte " + (this.position - 1));
			}
		}

		private void advance(int bytes) {
			if (this.limit - this.position < bytes) {
				throw new MalformedException("truncated fixed-size field at byte " + this.position);
			}
			this.position += bytes;
		}

	}

	/** A record that has the magic and a valid MD5 but is not a well-formed message. */
	static final class MalformedException extends RuntimeException {

		MalformedException(String message) {
			super(message, null, false, false);
		}

	}

}
