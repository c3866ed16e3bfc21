package dev.kinesisboot.consumer;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.record.KinesisRecord;

/**
 * Decides what happens when a handler throws. The checkpoint never passes records that
 * were neither handled, recovered nor explicitly skipped.
 * <p>
 * A {@link Decision#RECOVER} hands the records, one at a time, to
 * {@link #recover(KinesisRecord, Throwable, int)} (a dead-letter stream, a log); a record
 * counts as handled once its recovery completed. A recovery that fails is tried again
 * after a back-off, without calling the handler again, until it succeeds or the shard
 * stops: the shard shows as retrying meanwhile, and nothing is skipped.
 */
@FunctionalInterface
public interface ConsumerErrorHandler {

	/**
	 * Decides after a failed attempt.
	 * @param records the record (record mode), the batch that failed as a whole, or the
	 * one record a batch handler named as failed ({@link BatchListenerFailedException})
	 * @param error what the handler threw (for a named record, the cause it gave)
	 * @param attempt how many attempts failed so far, from 1
	 * @return what to do with the records
	 */
	Decision handle(List<KinesisRecord<byte[]>> records, Throwable error, int attempt);

	/**
	 * Recovers one record given up on, after {@link #handle} returned
	 * {@link Decision#RECOVER}.
	 * @param record the record
	 * @param error the last error
	 * @param attempts how many attempts failed
	 * @return completes once the record is recovered (then it counts as handled), or
	 * fails (then recovery is tried again after a back-off)
	 */
	default CompletableFuture<Void> recover(KinesisRecord<byte[]> record, Throwable error, int attempts) {
		return CompletableFuture.failedFuture(new UnsupportedOperationException(
				getClass().getName() + " decided RECOVER but does not implement recover(record, error, attempts)"));
	}

	/**
	 * Checks, before a consumer starts handing records to it, that the handler can work
	 * (for example that its dead-letter stream exists).
	 * @throws IllegalStateException naming what is missing and how to fix it
	 */
	default void verify() {
	}

	/**
	 * What to do with records whose handler failed.
	 */
	enum Decision {

		/** Hand the records over again after a back-off. */
		RETRY,

		/** Treat them as handled and go on. */
		SKIP,

		/**
		 * Give each record to {@link ConsumerErrorHandler#recover}, then go on.
		 */
		RECOVER

	}

	/**
	 * Retries for ever, with the consumer's capped back-off; nothing is skipped, and a
	 * record that always fails stalls its shard. The default of a bare
	 * {@link KinesisConsumer}; listener containers default to bounded attempts.
	 * @return the handler
	 */
	static ConsumerErrorHandler retryForever() {
		return (records, error, attempt) -> Decision.RETRY;
	}

}
