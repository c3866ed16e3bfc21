package dev.kinesisboot.producer;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.support.AwsErrors;

/**
 * One record on its way, with its future and retry state. Its fields other than the
 * future are read and written under the sender's lock (the put numbers under that of the
 * {@link OutstandingRecords}).
 */
final class PendingRecord {

	final byte[] data;

	final String partitionKey;

	/**
	 * High 64 bits of the key's MD5 hash, unsigned (see {@link ShardMap}); 0 when the
	 * producer does not group records by shard (see {@link RecordBuffer}), which then
	 * never routes by it.
	 */
	final long hashHigh;

	/** Low 64 bits of the key's MD5 hash, unsigned; 0 when not needed. */
	final long hashLow;

	/** Whether the hash was computed: a record without it must not be routed by it. */
	final boolean hashed;

	/** Data and partition key bytes, as Kinesis counts a record against its limits. */
	final int size;

	final CompletableFuture<PutResult> future = new CompletableFuture<>();

	final long enqueuedNanos;

	final long deadlineNanos;

	/** Put order, from 1; set when queued. */
	long seq;

	/** Number among the producer's outstanding records, from 1; under its lock. */
	long putNumber;

	/** Counted as settled by the outstanding records; under their lock. */
	boolean settled;

	int attempts;

	long notBeforeNanos;

	String lastError;

	PendingRecord(byte[] data, String partitionKey, int size, long nowNanos, long ttlNanos) {
		this(data, partitionKey, partitionKey.getBytes(StandardCharsets.UTF_8), true, size, nowNanos, ttlNanos);
	}

	/**
	 * A record whose key the caller already encoded (to check its size), so it is encoded
	 * once.
	 * @param hashed whether to hash the key for routing by shard: an MD5 costs about as
	 * much as the rest of a put, so it is left out when nothing routes by it
	 */
	PendingRecord(byte[] data, String partitionKey, byte[] partitionKeyBytes, boolean hashed, int size, long nowNanos,
			long ttlNanos) {
		this.data = data;
		this.partitionKey = partitionKey;
		this.hashed = hashed;
		if (hashed) {
			byte[] hash = ShardMap.hashOf(partitionKeyBytes);
			this.hashHigh = ShardMap.high(hash);
			this.hashLow = ShardMap.low(hash);
		}
		else {
			this.hashHigh = 0;
			this.hashLow = 0;
		}
		this.size = size;
		this.enqueuedNanos = nowNanos;
		this.deadlineNanos = nowNanos + ttlNanos;
	}

	/**
	 * The error code of the last failure.
	 * @return the code, or {@link AwsErrors#UNKNOWN}
	 */
	String errorCode() {
		if (this.lastError == null) {
			return AwsErrors.UNKNOWN;
		}
		int colon = this.lastError.indexOf(':');
		return (colon < 0) ? this.lastError : this.lastError.substring(0, colon);
	}

}
