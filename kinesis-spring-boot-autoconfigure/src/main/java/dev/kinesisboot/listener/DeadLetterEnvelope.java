package dev.kinesisboot.listener;

import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import dev.kinesisboot.record.KinesisRecord;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@link DeadLetterStreamRecoverer} writes to a dead-letter stream: the failed
 * record's data, unchanged, with where it came from and why it failed. Kinesis records
 * have no headers, so the record is wrapped in a small JSON document (format version 1):
 *
 * <pre>{@code
 * {"kinesisDeadLetter":1, "stream":"orders", "shardId":"shardId-000000000000",
 *  "sequenceNumber":"4960...", "subSequenceNumber":0, "partitionKey":"order-42",
 *  "arrivalTime":"2026-12-02T04:00:00Z", "attempts":10,
 *  "exception":"java.lang.IllegalStateException", "exceptionMessage":"...",
 *  "failedAt":"2026-12-02T04:00:05Z", "data":"<base64 of the original data>"}
 * }</pre>
 *
 * The dead-letter record keeps the original partition key, so records of one key stay in
 * order there too. {@link #decode(byte[])} reads an envelope back.
 *
 * @param stream the stream the record was read from
 * @param shardId its shard
 * @param sequenceNumber its sequence number
 * @param subSequenceNumber its position inside an aggregated record, 0 otherwise
 * @param partitionKey its partition key
 * @param arrivalTime when Kinesis received it, or {@code null}
 * @param attempts how many listener calls failed on it
 * @param exception the class of the last error
 * @param exceptionMessage the message of the last error, or {@code null}
 * @param failedAt when the record was given up on
 * @param data the record's data, as read; empty when {@code dataOmitted}
 * @param dataOmitted whether the data was left out because the envelope would not fit in
 * a record of the dead-letter stream (then the data is in the application's log)
 */
public record DeadLetterEnvelope(String stream, String shardId, String sequenceNumber, long subSequenceNumber,
		String partitionKey, Instant arrivalTime, int attempts, String exception, String exceptionMessage,
		Instant failedAt, byte[] data, boolean dataOmitted) {

	/** The field that marks an envelope, holding its format version. */
	public static final String MARKER = "kinesisDeadLetter";

	/** The format version written. */
	public static final int VERSION = 1;

	/** How much of an error message an envelope keeps. */
	static final int MAX_MESSAGE_LENGTH = 2_000;

	private static final JsonMapper json = JsonMapper.builder().build();

	/**
	 * Checks the fields that an envelope always has.
	 */
	public DeadLetterEnvelope {
		Objects.requireNonNull(stream, "stream");
		Objects.requireNonNull(shardId, "shardId");
		Objects.requireNonNull(sequenceNumber, "sequenceNumber");
		Objects.requireNonNull(partitionKey, "partitionKey");
		Objects.requireNonNull(exception, "exception");
		Objects.requireNonNull(failedAt, "failedAt");
		Objects.requireNonNull(data, "data");
	}

	/**
	 * The envelope of a failed record.
	 * @param record the record
	 * @param error the last error
	 * @param attempts how many listener calls failed on it
	 * @param failedAt when it was given up on
	 * @return the envelope
	 */
	public static DeadLetterEnvelope of(KinesisRecord<byte[]> record, Throwable error, int attempts, Instant failedAt) {
		String message = error.getMessage();
		if (message != null && message.length() > MAX_MESSAGE_LENGTH) {
			message = message.substring(0, MAX_MESSAGE_LENGTH) + "...";
		}
		return new DeadLetterEnvelope(record.streamName(), record.shardId(), record.sequenceNumber(),
				record.subSequenceNumber(), record.partitionKey(), record.approximateArrivalTimestamp(), attempts,
				error.getClass().getName(), message, failedAt, record.data(), false);
	}

	/**
	 * The same envelope without the data, for a record too large to be wrapped.
	 * @return the envelope, marked {@code dataOmitted}
	 */
	public DeadLetterEnvelope withoutData() {
		return new DeadLetterEnvelope(this.stream, this.shardId, this.sequenceNumber, this.subSequenceNumber,
				this.partitionKey, this.arrivalTime, this.attempts, this.exception, this.exceptionMessage,
				this.failedAt, new byte[0], true);
	}

	/**
	 * The envelope as the bytes written to the dead-letter stream.
	 * @return UTF-8 JSON
	 */
	public byte[] toBytes() {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put(MARKER, VERSION);
		fields.put("stream", this.stream);
		fields.put("shardId", this.shardId);
		fields.put("sequenceNumber", this.sequenceNumber);
		fields.put("subSequenceNumber", this.subSequenceNumber);
		fields.put("partitionKey", this.partitionKey);
		fields.put("arrivalTime", (this.arrivalTime != null) ? this.arrivalTime.toString() : null);
		fields.put("attempts", this.attempts);
		fields.put("exception", this.exception);
		fields.put("exceptionMessage", this.exceptionMessage);
		fields.put("failedAt", this.failedAt.toString());
		fields.put("data", Base64.getEncoder().encodeToString(this.data));
		if (this.dataOmitted) {
			fields.put("dataOmitted", true);
		}
		return json.writeValueAsBytes(fields);
	}

	/**
	 * Whether the data of a record is a dead-letter envelope.
	 * @param data the data
	 * @return {@code true} for a JSON object holding {@value #MARKER}
	 */
	public static boolean isEnvelope(byte[] data) {
		try {
			JsonNode node = json.readTree(data);
			return node.isObject() && node.has(MARKER);
		}
		catch (JacksonException ex) {
			return false;
		}
	}

	/**
	 * Reads an envelope from the data of a dead-letter record.
	 * @param data the data
	 * @return the envelope
	 * @throws IllegalArgumentException when the data is no envelope, or of a later format
	 * version
	 */
	public static DeadLetterEnvelope decode(byte[] data) {
		JsonNode node;
		try {
			node = json.readTree(data);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("Not a dead-letter envelope: the data is not JSON", ex);
		}
		if (!node.isObject() || !node.has(MARKER)) {
			throw new IllegalArgumentException("Not a dead-letter envelope: no '" + MARKER + "' field");
		}
		int version = node.get(MARKER).asInt();
		if (version != VERSION) {
			throw new IllegalArgumentException("Dead-letter envelope of format version " + version
					+ ", this library reads version " + VERSION + "; upgrade kinesis-spring-boot to read it");
		}
		try {
			return new DeadLetterEnvelope(text(node, "stream"), text(node, "shardId"), text(node, "sequenceNumber"),
					node.path("subSequenceNumber").asLong(), text(node, "partitionKey"), instant(node, "arrivalTime"),
					node.path("attempts").asInt(), text(node, "exception"), text(node, "exceptionMessage"),
					instant(node, "failedAt"), Base64.getDecoder().decode(text(node, "data")),
					node.path("dataOmitted").asBoolean(false));
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException("Malformed dead-letter envelope: " + ex.getMessage(), ex);
		}
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? null : value.asString();
	}

	private static Instant instant(JsonNode node, String field) {
		String text = text(node, field);
		return (text != null) ? Instant.parse(text) : null;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof DeadLetterEnvelope that && this.stream.equals(that.stream)
				&& this.shardId.equals(that.shardId) && this.sequenceNumber.equals(that.sequenceNumber)
				&& this.subSequenceNumber == that.subSequenceNumber && this.partitionKey.equals(that.partitionKey)
				&& Objects.equals(this.arrivalTime, that.arrivalTime) && this.attempts == that.attempts
				&& this.exception.equals(that.exception) && Objects.equals(this.exceptionMessage, that.exceptionMessage)
				&& this.failedAt.equals(that.failedAt) && Arrays.equals(this.data, that.data)
				&& this.dataOmitted == that.dataOmitted;
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.stream, this.shardId, this.sequenceNumber, this.subSequenceNumber, this.attempts,
				this.failedAt) * 31 + Arrays.hashCode(this.data);
	}

	@Override
	public String toString() {
		return "DeadLetterEnvelope[" + this.stream + "/" + this.shardId + "/" + this.sequenceNumber + ":"
				+ this.subSequenceNumber + " key=" + this.partitionKey + " arrivalTime=" + this.arrivalTime
				+ " attempts=" + this.attempts + " exception=" + this.exception + ": " + this.exceptionMessage
				+ " failedAt=" + this.failedAt + ", "
				+ (this.dataOmitted ? "data omitted" : this.data.length + " bytes") + "]";
	}

}
