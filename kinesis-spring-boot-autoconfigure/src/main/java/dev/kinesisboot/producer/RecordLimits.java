package dev.kinesisboot.producer;

/**
 * The limits of a single record, and the {@code error_type} of a record refused before
 * sending.
 */
final class RecordLimits {

	/** Data and partition key over the record size limit. */
	static final String RECORD_TOO_LARGE = "RecordTooLarge";

	/** Partition key empty, too long, or not made by the key strategy. */
	static final String INVALID_PARTITION_KEY = "InvalidPartitionKey";

	/** The serializer threw. */
	static final String SERIALIZATION_FAILED = "SerializationFailed";

	/** The queue stayed full for the queue-full timeout. */
	static final String QUEUE_FULL = "QueueFull";

	private RecordLimits() {
	}

	/**
	 * Checks a partition key against the Kinesis limits: not empty, at most
	 * {@value ProducerOptions#MAX_PARTITION_KEY_LENGTH} Unicode characters.
	 * @param partitionKey the partition key
	 * @throws RecordRefusedException naming the limit
	 */
	static void checkKey(String partitionKey) {
		if (partitionKey == null || partitionKey.isEmpty()) {
			throw new RecordRefusedException(INVALID_PARTITION_KEY,
					"Partition key must not be empty; pass a key, or null to let the PartitionKeyStrategy make one");
		}
		// Kinesis counts Unicode characters: one outside the BMP is one, not two UTF-16
		// units; counting code points only when the units exceed the limit keeps the
		// common case free
		int characters = partitionKey.length();
		if (characters > ProducerOptions.MAX_PARTITION_KEY_LENGTH) {
			characters = partitionKey.codePointCount(0, partitionKey.length());
		}
		if (characters > ProducerOptions.MAX_PARTITION_KEY_LENGTH) {
			throw new RecordRefusedException(INVALID_PARTITION_KEY,
					"Partition key of " + characters + " characters exceeds the Kinesis limit of "
							+ ProducerOptions.MAX_PARTITION_KEY_LENGTH
							+ " characters; use a shorter key (a hash of it, for example)");
		}
	}

	/**
	 * Checks a record's size against the stream's limit.
	 * @param data the record data
	 * @param partitionKeyBytes the partition key's UTF-8 bytes, checked by
	 * {@link #checkKey(String)}
	 * @param maxRecordBytes the stream's largest record
	 * @return the record's size, data and key bytes
	 * @throws RecordRefusedException naming the size and the limit
	 */
	static int check(byte[] data, byte[] partitionKeyBytes, int maxRecordBytes) {
		int keyBytes = partitionKeyBytes.length;
		long size = (long) data.length + keyBytes;
		if (size > maxRecordBytes) {
			throw new RecordRefusedException(RECORD_TOO_LARGE, "Record of " + size + " bytes (data " + data.length
					+ " + partition key " + keyBytes + ") exceeds the stream's limit of " + maxRecordBytes
					+ " bytes per record; split or compress the payload, or raise the stream's maximum record size (up to "
					+ ProducerOptions.MAX_STREAM_RECORD_BYTES + " bytes, UpdateMaxRecordSize)");
		}
		return (int) size;
	}

	/** A record over a Kinesis limit, with the {@code error_type} that says which. */
	static final class RecordRefusedException extends IllegalArgumentException {

		private final String errorType;

		RecordRefusedException(String errorType, String message) {
			super(message);
			this.errorType = errorType;
		}

		String errorType() {
			return this.errorType;
		}

	}

}
