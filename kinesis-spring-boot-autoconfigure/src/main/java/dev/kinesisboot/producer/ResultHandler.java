package dev.kinesisboot.producer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Backoff;
import dev.kinesisboot.support.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Decides what becomes of each record of a settled PutRecords call: completed with where
 * Kinesis stored it, failed for good, or due for a retry after a back-off. Throttled and
 * internally failed entries are retried alone; a failed call (network, timeout, 5xx) is
 * retried whole; other errors fail the affected records. A record is retried at most
 * {@link ProducerOptions#maxAttempts()} times and within its
 * {@link ProducerOptions#recordTtl()}. Counts what it sees in the metrics. Thread-safe:
 * it keeps no state between calls.
 */
final class ResultHandler {

	private static final Logger logger = LoggerFactory.getLogger(ResultHandler.class);

	private final String streamName;

	private final ProducerOptions options;

	private final MetricsCollector metrics;

	private final Map<String, String> labels;

	private final Backoff backoff;

	private final Scheduler scheduler;

	ResultHandler(String streamName, ProducerOptions options, MetricsCollector metrics, Scheduler scheduler) {
		this.streamName = streamName;
		this.options = options;
		this.metrics = metrics;
		this.labels = MetricLabels.stream(streamName);
		this.backoff = new Backoff(options.retryBackoffBase(), options.retryBackoffMax());
		this.scheduler = scheduler;
	}

	/**
	 * Settles a call.
	 * @param batch the batch sent
	 * @param response the response, or {@code null} when the call failed
	 * @param error the call's failure, or {@code null}
	 * @param shardMap the shard map, to notice a shard it does not know
	 * @return what becomes of its records
	 */
	Outcome settle(Batch batch, PutRecordsResponse response, Throwable error, ShardMap shardMap) {
		if (error == null && response != null && allStored(batch, response)) {
			this.metrics.increment(MetricType.PRODUCER_RECORDS_SENT, batch.entries.size(), this.labels);
			this.metrics.increment(MetricType.PRODUCER_BYTES_SENT, batch.dataBytes, this.labels);
			return new Outcome(response.records());
		}
		Outcome outcome = new Outcome(batch.entries.size());
		List<PendingRecord> retryable = new ArrayList<>();
		if (error != null || response == null) {
			callFailed(batch, (error != null) ? error : new IllegalStateException("empty PutRecords response"),
					retryable, outcome);
		}
		else {
			answered(batch, response, shardMap, retryable, outcome);
		}
		long now = this.scheduler.nanoTime();
		for (PendingRecord record : retryable) {
			if (record.attempts >= this.options.maxAttempts() || now >= record.deadlineNanos) {
				outcome.completions.add(fail(record, record.errorCode(),
						"Record for stream '" + this.streamName + "' not accepted after " + record.attempts
								+ " attempts in " + Duration.ofNanos(now - record.enqueuedNanos).toMillis()
								+ " ms (last error " + record.lastError
								+ "); add shards or raise max-attempts / record-ttl",
						null));
			}
			else {
				record.notBeforeNanos = now + this.backoff.delayNanos(record.attempts, this.scheduler.random());
				outcome.retries.add(record);
			}
		}
		return outcome;
	}

	/**
	 * Whether Kinesis stored every entry of the call: a result per entry, each with a
	 * sequence number and no error.
	 */
	private static boolean allStored(Batch batch, PutRecordsResponse response) {
		List<PutRecordsResultEntry> results = response.records();
		if (results.size() != batch.entries.size()) {
			return false;
		}
		for (int i = 0; i < results.size(); i++) {
			PutRecordsResultEntry result = results.get(i);
			if (result.errorCode() != null || result.sequenceNumber() == null) {
				return false;
			}
		}
		return true;
	}

	private void callFailed(Batch batch, Throwable failure, List<PendingRecord> retryable, Outcome outcome) {
		String type = AwsErrors.errorType(failure);
		if (AwsErrors.THROTTLED.equals(type)) {
			this.metrics.increment(MetricType.PRODUCER_THROTTLES, batch.entries.size(), this.labels);
		}
		else {
			this.metrics.increment(MetricType.PRODUCER_ERRORS, 1, errorLabels(type));
		}
		boolean retry = AwsErrors.isRetryable(failure);
		String message = AwsErrors.unwrap(failure).getMessage();
		outcome.sizeRefused = !retry && refusedForSize(message);
		logger.debug("PutRecords of {} records to stream '{}' failed ({}), retryable={}", batch.entries.size(),
				this.streamName, type, retry);
		for (PendingRecord record : batch.userRecords()) {
			record.lastError = type + ": " + message;
			if (retry) {
				retryable.add(record);
			}
			else {
				outcome.completions.add(fail(record, type, "PutRecords to stream '" + this.streamName + "' failed with "
						+ record.lastError + " (not retryable)", failure));
			}
		}
	}

	/** Kinesis names a record or request over its size limit in a validation error. */
	private static boolean refusedForSize(String message) {
		String lower = (message != null) ? message.toLowerCase(Locale.ROOT) : "";
		return lower.contains("size") || lower.contains("length");
	}

	private void answered(Batch batch, PutRecordsResponse response, ShardMap shardMap, List<PendingRecord> retryable,
			Outcome outcome) {
		List<PutRecordsResultEntry> results = response.records();
		long sent = 0;
		long sentBytes = 0;
		long throttled = 0;
		ShardIds shardIds = new ShardIds(shardMap);
		for (int i = 0; i < batch.entries.size(); i++) {
			BatchEntry entry = batch.entries.get(i);
			PutRecordsResultEntry result = (i < results.size()) ? results.get(i) : null;
			if (result != null && result.errorCode() == null && result.sequenceNumber() != null) {
				sent++;
				sentBytes += entry.dataBytes;
				String shardId = shardIds.resolve(result.shardId());
				for (int sub = 0; sub < entry.recordCount(); sub++) {
					PendingRecord record = entry.record(sub);
					outcome.completions
						.add(RecordCompletion.stored(record, new PutResult(shardId, result.sequenceNumber(), sub)));
				}
				continue;
			}
			String code = (result != null && result.errorCode() != null) ? result.errorCode() : AwsErrors.UNKNOWN;
			String error = code
					+ ((result != null && result.errorMessage() != null) ? ": " + result.errorMessage() : "");
			if (AwsErrors.THROTTLED.equals(code)) {
				throttled++;
			}
			else {
				this.metrics.increment(MetricType.PRODUCER_ERRORS, 1, errorLabels(code));
			}
			// a packed record failed: every record in it is retried (or fails)
			for (int sub = 0; sub < entry.recordCount(); sub++) {
				PendingRecord record = entry.record(sub);
				record.lastError = error;
				if (AwsErrors.isRetryableCode(code)) {
					retryable.add(record);
				}
				else {
					outcome.completions.add(fail(record, code, "Kinesis refused the record for stream '"
							+ this.streamName + "' with " + record.lastError + " (not retryable)", null));
				}
			}
		}
		outcome.unknownShard = shardIds.sawUnknown();
		if (sent > 0) {
			this.metrics.increment(MetricType.PRODUCER_RECORDS_SENT, sent, this.labels);
			this.metrics.increment(MetricType.PRODUCER_BYTES_SENT, sentBytes, this.labels);
		}
		if (throttled > 0) {
			this.metrics.increment(MetricType.PRODUCER_THROTTLES, throttled, this.labels);
		}
	}

	private Map<String, String> errorLabels(String errorType) {
		return Map.of(MetricLabels.STREAM_NAME, this.streamName, MetricLabels.ERROR_TYPE, errorType);
	}

	/**
	 * A completion that fails a record.
	 * @param record the record
	 * @param code the error code
	 * @param message what happened and what to do
	 * @param cause the failure, or {@code null}
	 * @return the completion, to run with no lock held
	 */
	static RecordCompletion fail(PendingRecord record, String code, String message, Throwable cause) {
		return RecordCompletion.failed(record, new KinesisPutException(message, code, record.attempts, cause));
	}

	/**
	 * What becomes of the records of one call.
	 */
	static final class Outcome {

		/** Completions to run on the callback executor. */
		final List<Runnable> completions;

		/**
		 * The results of a call whose every entry was stored, else {@code null}: its
		 * records complete in one {@link StoredCallCompletion}, which also notices a
		 * shard the map does not know.
		 */
		final List<PutRecordsResultEntry> allStored;

		/** Records to queue again, in batch order, with their back-off set. */
		final List<PendingRecord> retries = new ArrayList<>();

		/** Kinesis stored a record in a shard the map does not know: read it again. */
		boolean unknownShard;

		/** Kinesis refused the call for a size: read the stream's record limit again. */
		boolean sizeRefused;

		/**
		 * An outcome with room for one completion per entry, the common case.
		 * @param entries the batch's entries
		 */
		Outcome(int entries) {
			this.completions = new ArrayList<>(entries);
			this.allStored = null;
		}

		/**
		 * The outcome of a call whose every entry was stored.
		 * @param results its results, one per entry
		 */
		Outcome(List<PutRecordsResultEntry> results) {
			this.completions = new ArrayList<>(1);
			this.allStored = results;
		}

	}

}
