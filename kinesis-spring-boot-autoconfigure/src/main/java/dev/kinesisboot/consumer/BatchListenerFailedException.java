package dev.kinesisboot.consumer;

import java.util.List;

import dev.kinesisboot.record.KinesisRecord;

/**
 * Thrown by a batch handler to say which record of the batch failed: the records before
 * it count as handled (and are checkpointed), the failed one goes through the
 * {@link ConsumerErrorHandler} alone, and the records after it are handed over again as a
 * batch. Any other exception fails the whole batch.
 */
public class BatchListenerFailedException extends RuntimeException {

	private final int index;

	private final transient KinesisRecord<?> record;

	/**
	 * The record at an index of the batch failed.
	 * @param message what went wrong
	 * @param cause the error, or {@code null}
	 * @param index the failed record's index in the list the handler was given
	 */
	public BatchListenerFailedException(String message, Throwable cause, int index) {
		super(message, cause);
		if (index < 0) {
			throw new IllegalArgumentException("index must not be negative, got " + index);
		}
		this.index = index;
		this.record = null;
	}

	/**
	 * A record of the batch failed; it is found in the batch by its shard, sequence and
	 * sub-sequence number.
	 * @param message what went wrong
	 * @param cause the error, or {@code null}
	 * @param record the failed record, as the handler was given it
	 */
	public BatchListenerFailedException(String message, Throwable cause, KinesisRecord<?> record) {
		super(message, cause);
		this.index = -1;
		this.record = record;
	}

	/**
	 * The failed record's index in the batch, or {@code -1} when it was named by record.
	 * @return the index
	 */
	public int getIndex() {
		return this.index;
	}

	/**
	 * The failed record, or {@code null} when it was named by index.
	 * @return the record
	 */
	public KinesisRecord<?> getRecord() {
		return this.record;
	}

	/**
	 * Where the failed record lies in the batch.
	 * @param batch the batch the handler was given
	 * @return its index, or {@code -1} when the batch holds no such record
	 */
	int indexIn(List<KinesisRecord<byte[]>> batch) {
		if (this.record == null) {
			return (this.index < batch.size()) ? this.index : -1;
		}
		for (int i = 0; i < batch.size(); i++) {
			KinesisRecord<byte[]> candidate = batch.get(i);
			if (candidate.shardId().equals(this.record.shardId())
					&& candidate.sequenceNumber().equals(this.record.sequenceNumber())
					&& candidate.subSequenceNumber() == this.record.subSequenceNumber()) {
				return i;
			}
		}
		return -1;
	}

}
