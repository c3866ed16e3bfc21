package dev.kinesisboot.consumer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.record.KinesisRecord;

/**
 * Hands the records a {@link ShardReader} read to the application: to a handler
 * ({@link HandlerDispatcher}) or to {@link KinesisConsumer#poll} ({@link PollHandoff}).
 */
interface Dispatcher {

	/**
	 * Hands a batch of one shard over.
	 * @param shard the shard the records come from
	 * @param records the records, in order
	 * @return completes once every record was handled (or skipped by the error handler);
	 * fails with {@link ShardStoppedException} when the shard was stopped first, or with
	 * the cause when the records could not be handed over (then none of them counts as
	 * handled)
	 */
	CompletableFuture<Void> dispatch(Shard shard, List<KinesisRecord<byte[]>> records);

	/**
	 * Lets go of what waits for the application; called once the shards stopped.
	 */
	default void close() {
	}

	/**
	 * What a dispatcher may know of the shard it serves.
	 */
	interface Shard {

		/**
		 * The shard id.
		 * @return the id
		 */
		String shardId();

		/**
		 * Whether the shard's reader was asked to stop (lease lost, hand-over, close): no
		 * record of it may start being handled any more.
		 * @return {@code true} once stopping
		 */
		boolean isStopRequested();

		/**
		 * The shard's metric labels.
		 * @return the labels
		 */
		Map<String, String> labels();

		/**
		 * Every record of the batch up to and including this one was handled (or skipped
		 * by the error handler), while the later ones wait for a retry or were not
		 * started because the shard stopped: the reader records the position, so a later
		 * reader does not deliver them again.
		 * @param record the last record handled
		 */
		default void handledUpTo(KinesisRecord<byte[]> record) {
		}

		/**
		 * Every record up to and including this one is done with, the last ones given up
		 * on by the error handler (recovered or skipped): like
		 * {@link #handledUpTo(KinesisRecord)}, and in {@code MANUAL} checkpoint mode it
		 * counts as acknowledged, as no one else will acknowledge those records.
		 * @param record the last record recovered or skipped
		 */
		default void recoveredUpTo(KinesisRecord<byte[]> record) {
			handledUpTo(record);
		}

		/**
		 * A handler call or a recovery failed: the shard shows as retrying, with the
		 * error, and the failure is counted in {@code consumer_errors_total}, until
		 * {@link #recovered()}.
		 * @param errorType the metric's {@code error_type}: {@code handler} or
		 * {@code recovery}
		 * @param error the error
		 */
		default void failing(String errorType, Throwable error) {
		}

		/**
		 * The records that failed were handled, recovered or skipped: the shard shows as
		 * running again.
		 */
		default void recovered() {
		}

	}

}
