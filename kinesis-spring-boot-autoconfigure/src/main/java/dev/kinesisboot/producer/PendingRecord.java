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

	/** High 64 bits of the key's MD5 hash, unsigned (see {@link ShardMap}). */
	final long hashHigh;

	/** Low 64 bits of the key's MD5 hash, unsigned. */
	final long hashLow;

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
		this(data, partitionKey, partitionKey.getBytes(StandardCharsets.UTF_8), size, nowNanos, ttlNanos);
	}

	/**
	 * A record whose key the caller already encoded (to check its size), so it is encoded
	 * once.
	 */
	PendingRecord(byte[] data, String partitionKey, byte[] partitionKeyBytes, int size, long nowNanos, long ttlNanos) {
		this.data = data;
		this.partitionKey = partitionKey;
		byte[] hash = ShardMap.hashOf(partitionKeyBytes);
		this.hashHigh = ShardMap.high(hash);
		this.hashLow = ShardMap.low(hash);
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
