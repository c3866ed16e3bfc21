package dev.kinesisboot.producer;

import java.math.BigInteger;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.support.AwsErrors;

/**
 * One record on its way, with its future and retry state. Its fields other than the
 * future are read and written under the producer's lock.
 */
final class PendingRecord {

	final byte[] data;

	final String partitionKey;

	final BigInteger hashKey;

	/** Data and partition key bytes, as Kinesis counts a record against its limits. */
	final int size;

	final CompletableFuture<PutResult> future = new CompletableFuture<>();

	final long enqueuedNanos;

	final long deadlineNanos;

	/** Put order, from 1; set when queued. */
	long seq;

	int attempts;

	long notBeforeNanos;

	String lastError;

	PendingRecord(byte[] data, String partitionKey, int size, long nowNanos, long ttlNanos) {
		this.data = data;
		this.partitionKey = partitionKey;
		this.hashKey = ShardMap.hashKey(partitionKey);
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
