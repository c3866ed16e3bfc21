package dev.kinesisboot.listener;

import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.record.KinesisRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a record given up on at ERROR, with where it lies, its key and all its data (as
 * text when it is UTF-8 text, else in base64), so it can be found and replayed by hand;
 * then the listener goes on. The log line is the record's only copy. The recoverer of
 * containers that have no dead-letter stream. Thread-safe.
 */
public class LoggingRecordRecoverer implements RecordRecoverer {

	private static final Logger logger = LoggerFactory.getLogger(LoggingRecordRecoverer.class);

	/** How much of a record's data other log lines show. */
	static final int LOGGED_BYTES = 1_000;

	@Override
	public CompletableFuture<Void> recover(KinesisRecord<byte[]> record, Throwable error, int attempts) {
		logger.error("Skipping {} after {} attempt(s) (no dead-letter stream set): {}",
				describe(record, Integer.MAX_VALUE), attempts, error.toString());
		return CompletableFuture.completedFuture(null);
	}

	/**
	 * A record as a log line.
	 * @param record the record
	 * @param maxBytes how much of the data to show
	 * @return where it lies, its key and its data
	 */
	static String describe(KinesisRecord<byte[]> record, int maxBytes) {
		StringBuilder text = new StringBuilder().append(record.streamName())
			.append('/')
			.append(record.shardId())
			.append('/')
			.append(record.sequenceNumber());
		if (record.subSequenceNumber() != 0) {
			text.append(':').append(record.subSequenceNumber());
		}
		byte[] data = record.data();
		byte[] shown = (data.length > maxBytes) ? Arrays.copyOf(data, maxBytes) : data;
		text.append(" key=").append(record.partitionKey()).append(" data=").append(readable(shown));
		if (shown.length < data.length) {
			text.append("...");
		}
		return text.append(" (").append(data.length).append(" bytes)").toString();
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
