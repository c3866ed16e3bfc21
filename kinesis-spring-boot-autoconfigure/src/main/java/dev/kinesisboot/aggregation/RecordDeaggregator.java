package dev.kinesisboot.aggregation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.record.RecordExpander;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Unpacks KPL aggregated records into their user records; the consumer's default
 * {@link RecordExpander}. Each user record keeps its own partition key, the Kinesis
 * record's sequence number and arrival time, and its index in the aggregated record as
 * sub-sequence number, so checkpoints can point inside an aggregated record.
 * <p>
 * A record is unpacked only when it starts with the KPL magic bytes and its MD5 trailer
 * matches. Anything else is handed over as one plain record, as the KCL does. A record
 * that has the magic but a wrong MD5, or a matching MD5 but a message that cannot be
 * read, is also handed over as it is, never dropped: it is logged at WARN with the shard
 * and sequence number (no metric: the reference catalogue has no de-aggregation error
 * type, and the record itself is still delivered).
 * <p>
 * User records whose hash key lies outside the shard they were read from (an aggregated
 * record put with a stale shard map around a split) are delivered too. The KCL drops the
 * whole aggregated record in that case, when it knows the shard's hash-key range, because
 * the KPL puts such user records again ("Wrong Shard" retry), so they are duplicates
 * there. {@code KinesisProducer} does not put them again, so dropping them would lose
 * them; a {@code RecordExpander} is not told the shard's range either. With KPL producers
 * this means such a user record can be delivered twice, which at-least-once delivery
 * allows.
 * <p>
 * Thread-safe and stateless.
 */
public class RecordDeaggregator implements RecordExpander {

	private static final Logger logger = LoggerFactory.getLogger(RecordDeaggregator.class);

	@Override
	public List<KinesisRecord<byte[]>> expand(String streamName, String shardId, Record record) {
		byte[] data = record.data().asByteArrayUnsafe();
		List<UserRecord> userRecords;
		try {
			userRecords = decodeOrNull(data);
		}
		catch (RuntimeException ex) {
			logger.warn(
					"Record {} of shard {} of stream '{}' starts with the KPL aggregation magic but {}; "
							+ "delivered as one plain record",
					record.sequenceNumber(), shardId, streamName, ex.getMessage());
			userRecords = null;
		}
		if (userRecords == null) {
			return List.of(new KinesisRecord<>(streamName, shardId, record.sequenceNumber(), 0, record.partitionKey(),
					record.approximateArrivalTimestamp(), data, data));
		}
		List<KinesisRecord<byte[]>> result = new ArrayList<>(userRecords.size());
		for (int i = 0; i < userRecords.size(); i++) {
			UserRecord user = userRecords.get(i);
			result.add(new KinesisRecord<>(streamName, shardId, record.sequenceNumber(), i, user.partitionKey(),
					record.approximateArrivalTimestamp(), user.data(), user.data()));
		}
		return result;
	}

	/**
	 * Whether data starts with the KPL aggregation magic bytes (it may still fail the MD5
	 * check).
	 * @param data the record data
	 * @return {@code true} when it starts with {@code F3 89 9A C2}
	 */
	public static boolean hasMagic(byte[] data) {
		return KplFormat.startsWithMagic(data);
	}

	/**
	 * Decodes an aggregated record.
	 * @param data the record data
	 * @return its user records in order, or empty when the data is not an intact
	 * aggregated record (no magic, wrong MD5, or an unreadable message)
	 */
	public static Optional<List<UserRecord>> decode(byte[] data) {
		try {
			return Optional.ofNullable(decodeOrNull(data));
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Decodes an aggregated record.
	 * @return the user records, or {@code null} when the data does not start with the
	 * magic
	 * @throws RuntimeException with the reason when it has the magic but is not intact
	 */
	private static List<UserRecord> decodeOrNull(byte[] data) {
		if (!KplFormat.startsWithMagic(data)) {
			return null;
		}
		int messageStart = KplFormat.MAGIC.length;
		int messageEnd = data.length - KplFormat.DIGEST_LENGTH;
		if (messageEnd <= messageStart) {
			throw new KplFormat.MalformedException("is too short (" + data.length + " bytes) to hold a message");
		}
		byte[] digest = KplFormat.md5(data, messageStart, messageEnd - messageStart);
		if (!MessageDigest.isEqual(digest, Arrays.copyOfRange(data, messageEnd, data.length))) {
			throw new KplFormat.MalformedException("its MD5 does not match");
		}
		try {
			return parse(data, messageStart, messageEnd);
		}
		catch (KplFormat.MalformedException ex) {
			throw new KplFormat.MalformedException("its message cannot be read: " + ex.getMessage());
		}
	}

	private static List<UserRecord> parse(byte[] data, int start, int end) {
		List<String> partitionKeys = new ArrayList<>();
		List<String> explicitHashKeys = new ArrayList<>();
		List<int[]> records = new ArrayList<>();
		KplFormat.Reader reader = new KplFormat.Reader(data, start, end);
		while (reader.hasMore()) {
			int tag = tag(reader);
			int field = tag >>> 3;
			int wireType = tag & 7;
			if (field == KplFormat.PARTITION_KEY_TABLE && wireType == KplFormat.LENGTH_DELIMITED) {
				partitionKeys.add(string(data, reader.lengthDelimited(), reader.position()));
			}
			else if (field == KplFormat.EXPLICIT_HASH_KEY_TABLE && wireType == KplFormat.LENGTH_DELIMITED) {
				explicitHashKeys.add(string(data, reader.lengthDelimited(), reader.position()));
			}
			else if (field == KplFormat.RECORDS && wireType == KplFormat.LENGTH_DELIMITED) {
				int recordStart = reader.lengthDelimited();
				records.add(new int[] { recordStart, reader.position() });
			}
			else {
				reader.skip(wireType);
			}
		}
		// the tables may come after the records on the wire, so records are read last
		List<UserRecord> result = new ArrayList<>(records.size());
		for (int[] bounds : records) {
			result.add(parseRecord(data, bounds[0], bounds[1], partitionKeys, explicitHashKeys, result.size()));
		}
		return result;
	}

	private static UserRecord parseRecord(byte[] data, int start, int end, List<String> partitionKeys,
			List<String> explicitHashKeys, int index) {
		boolean hasKeyIndex = false;
		long keyIndex = 0;
		boolean hasHashKeyIndex = false;
		long hashKeyIndex = 0;
		byte[] payload = null;
		KplFormat.Reader reader = new KplFormat.Reader(data, start, end);
		while (reader.hasMore()) {
			int tag = tag(reader);
			int field = tag >>> 3;
			int wireType = tag & 7;
			if (field == KplFormat.PARTITION_KEY_INDEX && wireType == KplFormat.VARINT) {
				keyIndex = reader.varint();
				hasKeyIndex = true;
			}
			else if (field == KplFormat.EXPLICIT_HASH_KEY_INDEX && wireType == KplFormat.VARINT) {
				hashKeyIndex = reader.varint();
				hasHashKeyIndex = true;
			}
			else if (field == KplFormat.DATA && wireType == KplFormat.LENGTH_DELIMITED) {
				int payloadStart = reader.lengthDelimited();
				payload = Arrays.copyOfRange(data, payloadStart, reader.position());
			}
			else {
				reader.skip(wireType);
			}
		}
		if (!hasKeyIndex || payload == null) {
			throw new KplFormat.MalformedException("user record " + index + " lacks its "
					+ (hasKeyIndex ? "data" : "partition_key_index") + " (a required field)");
		}
		// indexes are unsigned: one read as negative is beyond any table
		if (keyIndex < 0 || keyIndex >= partitionKeys.size()) {
			throw new KplFormat.MalformedException("user record " + index + " names partition key " + keyIndex
					+ " of a table of " + partitionKeys.size());
		}
		String hashKey = null;
		if (hasHashKeyIndex) {
			if (hashKeyIndex < 0 || hashKeyIndex >= explicitHashKeys.size()) {
				throw new KplFormat.MalformedException("user record " + index + " names explicit hash key "
						+ hashKeyIndex + " of a table of " + explicitHashKeys.size());
			}
			hashKey = explicitHashKeys.get((int) hashKeyIndex);
		}
		return new UserRecord(partitionKeys.get((int) keyIndex), hashKey, payload);
	}

	private static int tag(KplFormat.Reader reader) {
		long tag = reader.varint();
		if (tag <= 0 || tag > Integer.MAX_VALUE || (tag >>> 3) == 0) {
			throw new KplFormat.MalformedException("invalid field tag " + tag);
		}
		return (int) tag;
	}

	private static String string(byte[] data, int start, int end) {
		return new String(data, start, end - start, StandardCharsets.UTF_8);
	}

}
