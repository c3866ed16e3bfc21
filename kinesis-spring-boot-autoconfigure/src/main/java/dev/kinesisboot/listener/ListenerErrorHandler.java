package dev.kinesisboot.listener;

import java.util.Arrays;
import java.util.Base64;
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

	/** How much of a record's data a log line shows. */
	static final int LOGGED_BYTES = 1_000;

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
				logger.warn("Sent {} to the dead-letter stream after {} attempt(s): {}", describe(records), attempt,
						error.toString());
				return Decision.SKIP;
			}
			catch (RuntimeException ex) {
				logger.error("Could not send {} to the dead-letter stream; retrying", describe(records), ex);
				return Decision.RETRY;
			}
		}
		logger.error("Skipping {} after {} attempt(s) (no dead-letter stream set on the container factory): {}",
				describe(records), attempt, error.toString());
		return Decision.SKIP;
	}

	/**
	 * The records as a log line: where each lies, its key and its data, as text when it
	 * is UTF-8 text, else in base64, each cut after {@value #LOGGED_BYTES} bytes.
	 * @param records the records
	 * @return the description
	 */
	static String describe(List<KinesisRecord<byte[]>> records) {
		StringBuilder text = new StringBuilder();
		for (KinesisRecord<byte[]> record : records) {
			text.append((text.length() == 0) ? "[" : ", ")
				.append(record.streamName())
				.append('/')
				.append(record.shardId())
				.append('/')
				.append(record.sequenceNumber());
			if (record.subSequenceNumber() != 0) {
				text.append(':').append(record.subSequenceNumber());
			}
			byte[] data = record.data();
			byte[] shown = (data.length > LOGGED_BYTES) ? Arrays.copyOf(data, LOGGED_BYTES) : data;
			text.append(" key=").append(record.partitionKey()).append(" data=").append(readable(shown));
			if (shown.length < data.length) {
				text.append("...");
			}
			text.append(" (").append(data.length).append(" bytes)");
		}
		return text.append(']').toString();
	}

	private static String readable(byte[] data) {
		// binary, or text cut inside a character, goes as base64
		String text = PayloadConverter.utf8Text(data);
		if (text != null && text.chars().allMatch((c) -> !Character.isISOControl(c) || c == '\n' || c == '\t')) {
			return text;
		}
		return "base64:" + Base64.getEncoder().encodeToString(data);
	}

}
