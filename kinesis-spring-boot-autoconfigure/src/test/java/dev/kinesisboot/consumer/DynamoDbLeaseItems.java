package dev.kinesisboot.consumer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.WorkerBeat;
import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The DynamoDB item of a lease as {@link DynamoDbCheckpointer} stores it (its attribute
 * names and encodings; {@code DynamoDbLeaseItemsTests} holds the two together), the
 * item's size by DynamoDB's rules and the capacity units an access costs:
 * <ul>
 * <li>size: per attribute, the UTF-8 length of its name plus its value: a string's UTF-8
 * length; a number's significant digits (leading and trailing zeros trimmed), one byte
 * per two, plus one;</li>
 * <li>strongly consistent reads: 4 KB per read unit, at least one per request; a Query
 * adds the sizes of the items it returns and rounds the sum up once, and returns at most
 * 1 MB per page (the checkpointer follows {@code LastEvaluatedKey});</li>
 * <li>writes: 1 KB per write unit per item, rounded up, on the larger of the item before
 * and after; a write whose condition fails still costs its units.</li>
 * </ul>
 */
final class DynamoDbLeaseItems {

	static final int READ_UNIT_BYTES = 4 * 1024;

	static final int WRITE_UNIT_BYTES = 1024;

	static final int QUERY_PAGE_BYTES = 1024 * 1024;

	private DynamoDbLeaseItems() {
	}

	/**
	 * The partition key value of a stream and group, as the checkpointer builds it.
	 * @param applicationName the group
	 * @param streamName the stream
	 * @return {@code applicationName:streamName}
	 */
	static String streamKey(String applicationName, String streamName) {
		return applicationName + ":" + streamName;
	}

	/**
	 * The item of a lease.
	 * @param streamKey the partition key value
	 * @param lease the lease
	 * @return the attributes, as the checkpointer writes them
	 */
	static Map<String, AttributeValue> item(String streamKey, Lease lease) {
		Map<String, AttributeValue> item = new LinkedHashMap<>();
		item.put(DynamoDbCheckpointer.STREAM_KEY, AttributeValue.fromS(streamKey));
		item.put(DynamoDbCheckpointer.SHARD_ID, AttributeValue.fromS(lease.shardId()));
		if (lease.owner() != null) {
			item.put(DynamoDbCheckpointer.OWNER, AttributeValue.fromS(lease.owner()));
		}
		item.put(DynamoDbCheckpointer.LEASE_COUNTER, AttributeValue.fromN(Long.toString(lease.counter())));
		if (lease.owner() != null && lease.expiresAt() != null) {
			item.put(DynamoDbCheckpointer.EXPIRES_AT,
					AttributeValue.fromN(Long.toString(lease.expiresAt().toEpochMilli())));
		}
		if (lease.checkpoint() != null) {
			item.put(DynamoDbCheckpointer.CHECKPOINT, AttributeValue.fromS(lease.checkpoint().toText()));
		}
		return item;
	}

	/**
	 * The partition key of a shard's lease in a new group: its bucket's.
	 * @param streamKey the stream key
	 * @param shardId the shard
	 * @return {@code streamKey#bucket}
	 */
	static String leaseKey(String streamKey, String shardId) {
		return bucketKey(streamKey, DynamoDbCheckpointer.bucketOf(shardId, DynamoDbCheckpointer.DEFAULT_LEASE_BUCKETS));
	}

	/**
	 * The partition key of a bucket in a new group.
	 * @param streamKey the stream key
	 * @param bucket the bucket
	 * @return {@code streamKey#bucket}
	 */
	static String bucketKey(String streamKey, int bucket) {
		return streamKey + "#" + bucket;
	}

	/**
	 * The partition key of the heartbeats.
	 * @param streamKey the stream key
	 * @return {@code streamKey#workers}
	 */
	static String workersKey(String streamKey) {
		return streamKey + "#workers";
	}

	/**
	 * The item of a heartbeat, as the checkpointer writes it.
	 * @param streamKey the stream key
	 * @param beat the heartbeat
	 * @return its attributes
	 */
	static Map<String, AttributeValue> beatItem(String streamKey, WorkerBeat beat) {
		Map<String, AttributeValue> item = new LinkedHashMap<>();
		item.put(DynamoDbCheckpointer.STREAM_KEY, AttributeValue.fromS(workersKey(streamKey)));
		item.put(DynamoDbCheckpointer.SHARD_ID, AttributeValue.fromS(beat.workerId()));
		item.put(DynamoDbCheckpointer.LEASES, AttributeValue.fromN(Integer.toString(beat.leases())));
		item.put(DynamoDbCheckpointer.CHANGES, AttributeValue.fromN(Long.toString(beat.changes())));
		item.put(DynamoDbCheckpointer.EXPIRES_AT, AttributeValue.fromN(Long.toString(beat.expiresAt().toEpochMilli())));
		item.put(DynamoDbCheckpointer.WRITTEN, AttributeValue.fromN(Long.toString(beat.written())));
		return item;
	}

	/**
	 * The size of a lease's item.
	 * @param streamKey the partition key value
	 * @param lease the lease, or {@code null} for no item
	 * @return bytes, {@code 0} for no item
	 */
	static int size(String streamKey, Lease lease) {
		if (lease == null) {
			return 0;
		}
		// the sum size(item(streamKey, lease)) gives, without building the item: the
		// model sizes every lease of every listing
		int size = attribute(DynamoDbCheckpointer.STREAM_KEY, streamKey)
				+ attribute(DynamoDbCheckpointer.SHARD_ID, lease.shardId())
				+ DynamoDbCheckpointer.LEASE_COUNTER.length() + numberSize(Long.toString(lease.counter()));
		if (lease.owner() != null) {
			size += attribute(DynamoDbCheckpointer.OWNER, lease.owner());
			if (lease.expiresAt() != null) {
				size += DynamoDbCheckpointer.EXPIRES_AT.length()
						+ numberSize(Long.toString(lease.expiresAt().toEpochMilli()));
			}
		}
		if (lease.checkpoint() != null) {
			size += attribute(DynamoDbCheckpointer.CHECKPOINT, lease.checkpoint().toText());
		}
		return size;
	}

	private static int attribute(String name, String value) {
		return utf8Length(name) + utf8Length(value);
	}

	/**
	 * The size of an item of strings and numbers.
	 * @param item the attributes
	 * @return bytes
	 */
	static int size(Map<String, AttributeValue> item) {
		int size = 0;
		for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
			size += utf8Length(attribute.getKey());
			AttributeValue value = attribute.getValue();
			if (value.s() != null) {
				size += utf8Length(value.s());
			}
			else if (value.n() != null) {
				size += numberSize(value.n());
			}
			else {
				throw new IllegalArgumentException("Only strings and numbers are sized, not " + value);
			}
		}
		return size;
	}

	/**
	 * The bytes of a number: one per two significant digits, plus one.
	 * @param number the number's text
	 * @return bytes
	 */
	static int numberSize(String number) {
		String digits = number.replace("-", "").replace(".", "");
		int first = 0;
		while (first < digits.length() && digits.charAt(first) == '0') {
			first++;
		}
		int last = digits.length();
		while (last > first && digits.charAt(last - 1) == '0') {
			last--;
		}
		int significant = Math.max(1, last - first);
		return (significant + 1) / 2 + 1;
	}

	/**
	 * Read units of one strongly consistent request (GetItem, or one Query page).
	 * @param bytes the size of the items it returned (GetItem: of the whole item,
	 * whatever the projection)
	 * @return units, at least one
	 */
	static int readUnits(long bytes) {
		return (int) Math.max(1, (bytes + READ_UNIT_BYTES - 1) / READ_UNIT_BYTES);
	}

	/**
	 * Write units of one UpdateItem.
	 * @param bytesBefore the item's size before ({@code 0}: no item)
	 * @param bytesAfter its size after
	 * @return units, at least one
	 */
	static int writeUnits(int bytesBefore, int bytesAfter) {
		int bytes = Math.max(bytesBefore, bytesAfter);
		return Math.max(1, (bytes + WRITE_UNIT_BYTES - 1) / WRITE_UNIT_BYTES);
	}

	/**
	 * Splits the item sizes a Query returns into its pages of at most 1 MB.
	 * @param itemSizes the sizes, in key order
	 * @return per page, the sizes of its items
	 */
	static List<List<Integer>> queryPages(List<Integer> itemSizes) {
		List<List<Integer>> pages = new ArrayList<>();
		List<Integer> page = new ArrayList<>();
		long bytes = 0;
		for (int size : itemSizes) {
			if (!page.isEmpty() && bytes + size > QUERY_PAGE_BYTES) {
				pages.add(page);
				page = new ArrayList<>();
				bytes = 0;
			}
			page.add(size);
			bytes += size;
		}
		pages.add(page);
		return pages;
	}

	private static int utf8Length(String text) {
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) >= 0x80) {
				return text.getBytes(StandardCharsets.UTF_8).length;
			}
		}
		return text.length();
	}

}
