package dev.kinesisboot.producer;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The open shards of a stream and their hash-key ranges: tells which shard a partition
 * key goes to, the way Kinesis decides it (MD5 of the key as a 128-bit unsigned number).
 * Immutable and thread-safe.
 */
final class ShardMap {

	/** Shard id used when the stream's shards are not known. */
	static final String UNKNOWN_SHARD = "unknown";

	private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
		try {
			return MessageDigest.getInstance("MD5");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("MD5 is required by the Java platform", ex);
		}
	});

	private final List<Range> ranges;

	private final Set<String> shardIds;

	private ShardMap(List<Range> ranges) {
		this.ranges = ranges;
		this.shardIds = ranges.stream().map(Range::shardId).collect(Collectors.toUnmodifiableSet());
	}

	/**
	 * A map of the open shards among the given ones (a shard with an ending sequence
	 * number is closed).
	 * @param shards the shards from ListShards
	 * @return the map
	 */
	static ShardMap of(List<Shard> shards) {
		List<Range> ranges = new ArrayList<>();
		for (Shard shard : shards) {
			if (shard.sequenceNumberRange() == null || shard.sequenceNumberRange().endingSequenceNumber() == null) {
				ranges.add(new Range(shard.shardId(), new BigInteger(shard.hashKeyRange().startingHashKey()),
						new BigInteger(shard.hashKeyRange().endingHashKey())));
			}
		}
		ranges.sort(Comparator.comparing(Range::start));
		return new ShardMap(List.copyOf(ranges));
	}

	static ShardMap empty() {
		return new ShardMap(List.of());
	}

	/**
	 * The 128-bit hash Kinesis computes from a partition key.
	 * @param partitionKey the key
	 * @return the MD5 of its UTF-8 bytes as an unsigned number
	 */
	static BigInteger hashKey(String partitionKey) {
		return new BigInteger(1, MD5.get().digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
	}

	/**
	 * The open shard whose range holds the hash.
	 * @param hashKey the hash of a partition key
	 * @return the shard id, or {@link #UNKNOWN_SHARD} when no range holds it
	 */
	String shardFor(BigInteger hashKey) {
		int low = 0;
		int high = this.ranges.size() - 1;
		while (low <= high) {
			int mid = (low + high) >>> 1;
			Range range = this.ranges.get(mid);
			if (hashKey.compareTo(range.start()) < 0) {
				high = mid - 1;
			}
			else if (hashKey.compareTo(range.end()) > 0) {
				low = mid + 1;
			}
			else {
				return range.shardId();
			}
		}
		return UNKNOWN_SHARD;
	}

	boolean contains(String shardId) {
		// once per stored record: a set, not a scan of the ranges
		return this.shardIds.contains(shardId);
	}

	int size() {
		return this.ranges.size();
	}

	private record Range(String shardId, BigInteger start, BigInteger end) {
	}

}
