package dev.kinesisboot.aggregation;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Packs user records into KPL aggregated records, which the KCL, Firehose and
 * {@link RecordDeaggregator} unpack again. Each user record keeps its own partition key
 * (and explicit hash key, if any) in the record's key tables; the aggregated record is
 * put with the first user record's partition key and, as explicit hash key, that key's
 * hash, so it lands on the shard of its first user record. Pack only records of one shard
 * together, as {@code KinesisProducer} does.
 *
 * <pre>{@code
 * RecordAggregator aggregator = new RecordAggregator();
 * for (UserRecord record : records) {
 *     if (!aggregator.tryAdd(record)) {
 *         put(aggregator.build());        // full: send it and start the next one
 *         if (!aggregator.tryAdd(record)) {
 *             put(RecordAggregator.alone(record));   // too large to share a record
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>
 * Sizes are counted exactly: magic, protobuf fields, MD5 and the outer partition key, as
 * Kinesis counts a record against its 1 MiB limit. Not thread-safe.
 */
public final class RecordAggregator {

	/** Kinesis takes records of at most this many bytes, data plus partition key. */
	public static final int KINESIS_MAX_RECORD_BYTES = 1024 * 1024;

	/**
	 * Default largest aggregated record, data plus partition key: 1 KiB under the Kinesis
	 * limit, a margin for anyone who counts the explicit hash key too.
	 */
	public static final int DEFAULT_MAX_SIZE = KINESIS_MAX_RECORD_BYTES - 1024;

	private final int maxSize;

	private final List<Entry> entries = new ArrayList<>();

	private final Map<String, Integer> partitionKeyIndex = new HashMap<>();

	private final List<byte[]> partitionKeys = new ArrayList<>();

	private final Map<String, Integer> explicitHashKeyIndex = new HashMap<>();

	private final List<byte[]> explicitHashKeys = new ArrayList<>();

	private int messageSize;

	private int outerKeyBytes;

	/**
	 * An aggregator of records up to {@link #DEFAULT_MAX_SIZE}.
	 */
	public RecordAggregator() {
		this(DEFAULT_MAX_SIZE);
	}

	/**
	 * An aggregator of records up to the given size.
	 * @param maxSize the largest aggregated record, data plus partition key, at most
	 * {@link #KINESIS_MAX_RECORD_BYTES}
	 */
	public RecordAggregator(int maxSize) {
		if (maxSize <= KplFormat.OVERHEAD || maxSize > KINESIS_MAX_RECORD_BYTES) {
			throw new IllegalArgumentException("maxSize must be between " + (KplFormat.OVERHEAD + 1) + " and "
					+ KINESIS_MAX_RECORD_BYTES + " (the Kinesis record limit), got " + maxSize);
		}
		this.maxSize = maxSize;
	}

	/**
	 * Packs records greedily, in order, into as few Kinesis records as the size allows. A
	 * user record too large to share a record goes alone.
	 * @param records the user records, in order
	 * @param maxSize the largest aggregated record, data plus partition key
	 * @return the Kinesis records, in order
	 * @throws IllegalArgumentException when a user record alone exceeds the Kinesis limit
	 */
	public static List<AggregatedRecord> aggregate(List<UserRecord> records, int maxSize) {
		RecordAggregator aggregator = new RecordAggregator(maxSize);
		List<AggregatedRecord> result = new ArrayList<>();
		for (UserRecord record : records) {
			if (aggregator.tryAdd(record)) {
				continue;
			}
			if (!aggregator.isEmpty()) {
				result.add(aggregator.build());
				if (aggregator.tryAdd(record)) {
					continue;
				}
			}
			result.add(alone(record));
		}
		if (!aggregator.isEmpty()) {
			result.add(aggregator.build());
		}
		return result;
	}

	/**
	 * A user record sent as its own, plain Kinesis record.
	 * @param record the user record
	 * @return the Kinesis record
	 * @throws IllegalArgumentException when it exceeds the Kinesis limit
	 */
	public static AggregatedRecord alone(UserRecord record) {
		AggregatedRecord plain = new AggregatedRecord(record.partitionKey(), record.explicitHashKey(), record.data(),
				1);
		if (plain.size() > KINESIS_MAX_RECORD_BYTES) {
			throw new IllegalArgumentException(
					"User record of " + plain.size() + " bytes (data plus partition key) exceeds the Kinesis limit of "
							+ KINESIS_MAX_RECORD_BYTES + " bytes; split or compress it");
		}
		return plain;
	}

	/**
	 * Adds a user record when the record being built stays within the maximum size.
	 * @param record the user record
	 * @return {@code false}, and nothing added, when it does not fit; when the aggregator
	 * was empty, the user record is too large to share a record and must go
	 * {@link #alone(UserRecord) alone}
	 */
	public boolean tryAdd(UserRecord record) {
		byte[] key = null;
		Integer keyIndex = this.partitionKeyIndex.get(record.partitionKey());
		int added = 0;
		if (keyIndex == null) {
			key = record.partitionKey().getBytes(StandardCharsets.UTF_8);
			keyIndex = this.partitionKeys.size();
			added += KplFormat.lengthDelimitedSize(key.length);
		}
		byte[] hashKey = null;
		Integer hashKeyIndex = null;
		if (record.explicitHashKey() != null) {
			hashKeyIndex = this.explicitHashKeyIndex.get(record.explicitHashKey());
			if (hashKeyIndex == null) {
				hashKey = record.explicitHashKey().getBytes(StandardCharsets.UTF_8);
				hashKeyIndex = this.explicitHashKeys.size();
				added += KplFormat.lengthDelimitedSize(hashKey.length);
			}
		}
		int body = 1 + KplFormat.varintSize(keyIndex)
				+ ((hashKeyIndex != null) ? 1 + KplFormat.varintSize(hashKeyIndex) : 0)
				+ KplFormat.lengthDelimitedSize(record.data().length);
		added += KplFormat.lengthDelimitedSize(body);
		int outerKey = this.entries.isEmpty() ? KplFormat.utf8Length(record.partitionKey()) : this.outerKeyBytes;
		long size = (long) KplFormat.OVERHEAD + this.messageSize + added + outerKey;
		if (size > this.maxSize) {
			return false;
		}
		if (key != null) {
			this.partitionKeyIndex.put(record.partitionKey(), keyIndex);
			this.partitionKeys.add(key);
		}
		if (hashKey != null) {
			this.explicitHashKeyIndex.put(record.explicitHashKey(), hashKeyIndex);
			this.explicitHashKeys.add(hashKey);
		}
		this.entries.add(new Entry(record, keyIndex, (hashKeyIndex != null) ? hashKeyIndex : -1, body));
		this.messageSize += added;
		this.outerKeyBytes = outerKey;
		return true;
	}

	/**
	 * How many user records were added since the last {@link #build()}.
	 * @return the count
	 */
	public int count() {
		return this.entries.size();
	}

	/**
	 * Whether no user record was added since the last {@link #build()}.
	 * @return {@code true} when empty
	 */
	public boolean isEmpty() {
		return this.entries.isEmpty();
	}

	/**
	 * The largest record this aggregator builds.
	 * @return the maximum size, data plus partition key
	 */
	public int maxSize() {
		return this.maxSize;
	}

	/**
	 * The size of the record {@link #build()} would return now, data plus partition key.
	 * @return the size in bytes; 0 when empty
	 */
	public int size() {
		if (this.entries.isEmpty()) {
			return 0;
		}
		if (this.entries.size() == 1) {
			UserRecord only = this.entries.get(0).record();
			return only.data().length + this.outerKeyBytes;
		}
		return KplFormat.OVERHEAD + this.messageSize + this.outerKeyBytes;
	}

	/**
	 * Builds the Kinesis record of the user records added, and empties the aggregator for
	 * the next one. A single user record is returned as it is.
	 * @return the Kinesis record
	 * @throws IllegalStateException when empty
	 */
	public AggregatedRecord build() {
		if (this.entries.isEmpty()) {
			throw new IllegalStateException("No user records to aggregate");
		}
		try {
			UserRecord first = this.entries.get(0).record();
			if (this.entries.size() == 1) {
				return alone(first);
			}
			byte[] data = new byte[KplFormat.OVERHEAD + this.messageSize];
			KplFormat.Writer writer = new KplFormat.Writer(data, 0);
			writer.raw(KplFormat.MAGIC);
			for (byte[] key : this.partitionKeys) {
				writer.bytesField(KplFormat.PARTITION_KEY_TABLE, key);
			}
			for (byte[] hashKey : this.explicitHashKeys) {
				writer.bytesField(KplFormat.EXPLICIT_HASH_KEY_TABLE, hashKey);
			}
			for (Entry entry : this.entries) {
				writer.lengthDelimitedHeader(KplFormat.RECORDS, entry.bodyLength());
				writer.varintField(KplFormat.PARTITION_KEY_INDEX, entry.partitionKeyIndex());
				if (entry.explicitHashKeyIndex() >= 0) {
					writer.varintField(KplFormat.EXPLICIT_HASH_KEY_INDEX, entry.explicitHashKeyIndex());
				}
				writer.bytesField(KplFormat.DATA, entry.record().data());
			}
			int messageEnd = writer.position();
			if (messageEnd != KplFormat.MAGIC.length + this.messageSize) {
				throw new IllegalStateException("Aggregated record size miscounted: " + messageEnd + " != "
						+ (KplFormat.MAGIC.length + this.messageSize));
			}
			writer.raw(KplFormat.md5(data, KplFormat.MAGIC.length, this.messageSize));
			String hashKey = (first.explicitHashKey() != null) ? first.explicitHashKey()
					: hashKeyOf(first.partitionKey());
			return new AggregatedRecord(first.partitionKey(), hashKey, data, this.entries.size());
		}
		finally {
			reset();
		}
	}

	/**
	 * Drops the user records added since the last {@link #build()}.
	 */
	public void reset() {
		this.entries.clear();
		this.partitionKeyIndex.clear();
		this.partitionKeys.clear();
		this.explicitHashKeyIndex.clear();
		this.explicitHashKeys.clear();
		this.messageSize = 0;
		this.outerKeyBytes = 0;
	}

	/**
	 * The hash Kinesis computes from a partition key, as an explicit hash key.
	 * @param partitionKey the key
	 * @return the MD5 of its UTF-8 bytes as an unsigned decimal number
	 */
	static String hashKeyOf(String partitionKey) {
		return new BigInteger(1, KplFormat.md5(partitionKey.getBytes(StandardCharsets.UTF_8))).toString();
	}

	private record Entry(UserRecord record, int partitionKeyIndex, int explicitHashKeyIndex, int bodyLength) {
	}

}
