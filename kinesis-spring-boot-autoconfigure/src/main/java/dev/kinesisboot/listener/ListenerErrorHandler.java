package dev.kinesisboot.listener;

import java.util.List;
import java.util.function.BiConsumer;

import dev.kinesisboot.consumer.ConsumerErrorHandler;
import dev.kinesisboot.record.KinesisRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default error handler of listener containers: retries a failing listener call with
 * back-off (for ever, or up to {@code maxAttempts}); then, and at once for a payload that
 * cannot be converted (retrying would not help), hands the records to the dead-letter
 * sender when there is one, else logs them at ERROR with their raw data and goes on.
 * Nothing is skipped without a log line.
 */
public class ListenerErrorHandler implements ConsumerErrorHandler {

	private static final Logger logger = LoggerFactory.getLogger(ListenerErrorHandler.class);

	private final int maxAttempts;

	private final BiConsumer<List<KinesisRecord<byte[]>>, Throwable> deadLetter;

	/**
	 * Creates a handler.
	 * @param maxAttempts attempts before giving up on a record; 0 retries for ever
	 * @param deadLetter receives records given up on, or {@code null} to log and skip
	 * them
	 */
	public ListenerErrorHandler(int maxAttempts, BiConsumer<List<KinesisRecord<byte[]>>, Throwable> deadLetter) {
		this.maxAttempts = maxAttempts;
		this.deadLetter = deadLetter;
	}

	@Override
	public Decision handle(List<KinesisRecord<byte[]>> records, Throwable error, int attempt) {
		boolean unconvertible = error instanceof PayloadConversionException;
		if (!unconvertible && (this.maxAttempts <= 0 || attempt < this.maxAttempts)) {
			return Decision.RETRY;
		}
		if (this.deadLetter != null) {
			try {
				this.deadLetter.accept(records, error);
				logger.warn("Sent {} to the dead-letter stream after {} attempt(s): {}", records, attempt,
						error.toString());
				return Decision.SKIP;
			}
			catch (RuntimeException ex) {
				logger.error("Could not send {} to the dead-letter stream; retrying", records, ex);
				return Decision.RETRY;
			}
		}
		logger.error("Skipping {} after {} attempt(s) (no dead-letter stream set on the container factory): {}",
				records, attempt, error.toString());
		return Decision.SKIP;
	}

}
