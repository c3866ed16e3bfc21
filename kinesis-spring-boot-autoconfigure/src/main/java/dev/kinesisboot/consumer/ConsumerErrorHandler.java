package dev.kinesisboot.consumer;

import java.util.List;
import java.util.function.BiConsumer;

import dev.kinesisboot.record.KinesisRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what happens when a handler throws. The checkpoint never passes records that
 * were neither handled nor explicitly skipped.
 */
@FunctionalInterface
public interface ConsumerErrorHandler {

	/**
	 * Decides after a failed attempt.
	 * @param records the record (record mode) or batch that failed
	 * @param error what the handler threw
	 * @param attempt how many attempts failed so far, from 1
	 * @return {@link Decision#RETRY} to hand them over again after a back-off, or
	 * {@link Decision#SKIP} to go on as if they were handled
	 */
	Decision handle(List<KinesisRecord<byte[]>> records, Throwable error, int attempt);

	/**
	 * What to do with records whose handler failed.
	 */
	enum Decision {

		/** Hand the records over again after a back-off. */
		RETRY,

		/** Treat them as handled and go on. */
		SKIP

	}

	/**
	 * The default: retry for ever, with the consumer's capped back-off; nothing is
	 * skipped.
	 * @return the handler
	 */
	static ConsumerErrorHandler retryForever() {
		return (records, error, attempt) -> Decision.RETRY;
	}

	/**
	 * Retries up to a number of attempts, then gives the records to a recoverer (a
	 * dead-letter stream, a log) and goes on. If the recoverer throws, the records are
	 * retried again.
	 * @param maxAttempts attempts before recovering, at least 1
	 * @param recoverer receives the records and the last error
	 * @return the handler
	 */
	static ConsumerErrorHandler retryThenRecover(int maxAttempts,
			BiConsumer<List<KinesisRecord<byte[]>>, Throwable> recoverer) {
		if (maxAttempts < 1) {
			throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
		}
		Logger logger = LoggerFactory.getLogger(ConsumerErrorHandler.class);
		return (records, error, attempt) -> {
			if (attempt < maxAttempts) {
				return Decision.RETRY;
			}
			try {
				recoverer.accept(records, error);
				return Decision.SKIP;
			}
			catch (RuntimeException ex) {
				logger.warn("Recoverer failed for {}; retrying", records, ex);
				return Decision.RETRY;
			}
		};
	}

}
