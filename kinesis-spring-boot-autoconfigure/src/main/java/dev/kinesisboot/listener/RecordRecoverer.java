package dev.kinesisboot.listener;

import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.record.KinesisRecord;

/**
 * Takes a record the listener gave up on: writes it to a dead-letter stream
 * ({@link DeadLetterStreamRecoverer}), logs it ({@link LoggingRecordRecoverer}), or
 * anything else. A record counts as handled, and may be checkpointed, only once its
 * recovery completed; a failed recovery is tried again after a back-off, without calling
 * the listener again.
 */
@FunctionalInterface
public interface RecordRecoverer {

	/**
	 * Recovers a record.
	 * @param record the record, with its data as read
	 * @param error the listener's last error
	 * @param attempts how many listener calls failed on it
	 * @return completes once recovered, or fails
	 */
	CompletableFuture<Void> recover(KinesisRecord<byte[]> record, Throwable error, int attempts);

	/**
	 * Checks, before any listener starts, that the recoverer can work.
	 * @throws IllegalStateException naming what is missing and how to fix it
	 */
	default void verify() {
	}

}
