package dev.kinesisboot.producer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The open shards of a stream and their hash-key ranges: tells which shard a partition
 * key goes to, the way Kinesis decides it (MD5 of the key as a 128-bit unsigned number).
 * Hashes are held as two {@code long}s (high and low 64 bits, compared unsigned), so
 * routing a record allocates nothing. Immutable and thread-safe.
 */
final class ShardMap {

	/** Shard id used when the stream's shards are not known. */
	static final String UNKNOWN_SHARD = "unknown";

	private static final ThreadLocal<Md5> MD5 = ThreadLocal.withInitial(Md5::new);

	private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

	private final List<Range> ranges;

	/** Each open shard's id, to itself: the one String a shard's results share. */
	private final Map<String, String> shardIds;

	private ShardMap(List<Range> ranges) {
		this.ranges = ranges;
		this.shardIds = ranges.stream().collect(Collectors.toUnmodifiableMap(Range::shardId, Range::shardId));
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
				BigInteger start = new BigInteger(shard.hashKeyRange().startingHashKey());
				BigInteger end = new BigInteger(shard.hashKeyRange().endingHashKey());
				ranges.add(new Range(shard.shardId(), high(start), low(start), high(end), low(end)));
			}
		}
		ranges.sort((a, b) -> compare(a.startHigh(), a.startLow(), b.startHigh(), b.startLow()));
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
		Md5 md5 = MD5.get();
		md5.digest(partitionKey.getBytes(StandardCharsets.UTF_8));
		return new BigInteger(1, md5.out);
	}

	/**
	 * The 128-bit hash of a partition key, in a buffer of the calling thread's that the
	 * next call overwrites: read it with {@link #high(byte[])} and {@link #low(byte[])}
	 * at once.
	 * @param keyBytes the key's UTF-8 bytes
	 * @return the 16 bytes of the MD5, big-endian
	 */
	static byte[] hashOf(byte[] keyBytes) {
		Md5 md5 = MD5.get();
		md5.digest(keyBytes);
		return md5.out;
	}

	static long high(byte[] hash) {
		return (long) LONGS.get(hash, 0);
	}

	static long low(byte[] hash) {
		return (long) LONGS.get(hash, Long.BYTES);
	}

	/**
	 * The open shard whose range holds the hash.
	 * @param hashKey the hash of a partition key
	 * @return the shard id, or {@link #UNKNOWN_SHARD} when no range holds it
	 */
	String shardFor(BigInteger hashKey) {
		return shardFor(high(hashKey), low(hashKey));
	}

	/**
	 * The open shard whose range holds the hash given as two unsigned halves.
	 * @param hashHigh the high 64 bits
	 * @param hashLow the low 64 bits
	 * @return the shard id, or {@link #UNKNOWN_SHARD} when no range holds it
	 */
	String shardFor(long hashHigh, long hashLow) {
		int low = 0;
		int high = this.ranges.size() - 1;
		while (low <= high) {
			int mid = (low + high) >>> 1;
			Range range = this.ranges.get(mid);
			if (compare(hashHigh, hashLow, range.startHigh(), range.startLow()) < 0) {
				high = mid - 1;
			}
			else if (compare(hashHigh, hashLow, range.endHigh(), range.endLow()) > 0) {
				low = mid + 1;
			}
			else {
				return range.shardId();
			}
		}
		return UNKNOWN_SHARD;
	}

	boolean contains(String shardId) {
		return knownId(shardId) != null;
	}

	/**
	 * The map's own instance of a shard id, so that the results of a shard's records
	 * share one String instead of each holding the copy parsed from its response.
	 * @param shardId a shard id from a response
	 * @return the equal id of an open shard, or {@code null} when the map does not know
	 * it
	 */
	String knownId(String shardId) {
		// once per stored record: a map, not a scan of the ranges
		return (shardId != null) ? this.shardIds.get(shardId) : null;
	}

	int size() {
		return this.ranges.size();
	}

	private static int compare(long aHigh, long aLow, long bHigh, long bLow) {
		int high = Long.compareUnsigned(aHigh, bHigh);
		return (high != 0) ? high : Long.compareUnsigned(aLow, bLow);
	}

	private static long high(BigInteger hash) {
		return hash.shiftRight(64).longValue();
	}

	private static long low(BigInteger hash) {
		// the low-order 64 bits
		return hash.longValue();
	}

	private record Range(String shardId, long startHigh, long startLow, long endHigh, long endLow) {
	}

	/** A reusable MD5 and its output buffer, one per thread. */
	private static final class Md5 {

		private final MessageDigest digest;

		private final byte[] out = new byte[16];

		Md5() {
			try {
				this.digest = MessageDigest.getInstance("MD5");
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException("MD5 is required by the Java platform", ex);
			}
		}

		void digest(byte[] input) {
			this.digest.update(input);
			try {
				this.digest.digest(this.out, 0, this.out.length);
			}
			catch (DigestException ex) {
				throw new IllegalStateException("MD5 output does not fit 16 bytes", ex);
			}
		}

	}

}
