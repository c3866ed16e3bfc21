package dev.kinesisboot.listener;

import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.record.KinesisRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a record given up on at ERROR, with where it lies, its key and its data (as text
 * when it is UTF-8 text, else in base64, cut after {@value #LOGGED_BYTES} bytes), so it
 * can be found and replayed by hand; then the listener goes on. The recoverer of
 * containers that have no dead-letter stream. Thread-safe.
 */
public class LoggingRecordRecoverer implements RecordRecoverer {

	private static final Logger logger = LoggerFactory.getLogger(LoggingRecordRecoverer.class);

	/** How much of a record's data a log line shows. */
	static final int LOGGED_BYTES = 1_000;

	@Override
	public CompletableFuture<Void> recover(KinesisRecord<byte[]> record, Throwable error, int attempts) {
		logger.error("Skipping {} after {} attempt(s) (no dead-letter stream set): {}", describe(record), attempts,
				error.toString());
		return CompletableFuture.completedFuture(null);
	}

	/**
	 * A record as a log line.
	 * @param record the record
	 * @return where it lies, its key and its data
	 */
	static String describe(KinesisRecord<byte[]> record) {
		StringBuilder text = new StringBuilder().append(record.streamName())
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
