package dev.kinesisboot.checkpoint;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/**
 * A position in a shard: every record up to and including it was handled. The
 * sub-sequence number points inside an aggregated (KPL) record; {@code 0} for plain
 * records. {@link #SHARD_END} marks a closed shard that was read to its end, which lets
 * its child shards start. A {@linkplain #atTimestamp(Instant) start marker} records when
 * the group began reading a shard it joined at its tip (LATEST), before any record was
 * handled, so that a later owner resumes there instead of at a newer tip.
 *
 * @param sequenceNumber the Kinesis sequence number, or {@code SHARD_END}
 * @param subSequenceNumber the index of the last handled user record inside an aggregated
 * record
 */
public record Checkpoint(String sequenceNumber, long subSequenceNumber) implements Comparable<Checkpoint> {

	/** The sequence number text of {@link #SHARD_END}. */
	public static final String SHARD_END_VALUE = "SHARD_END";

	/** A shard read to its end. */
	public static final Checkpoint SHARD_END = new Checkpoint(SHARD_END_VALUE, 0);

	/** The prefix of a start marker's sequence number text. */
	public static final String AT_TIMESTAMP_PREFIX = "AT_TIMESTAMP:";

	public Checkpoint {
		Objects.requireNonNull(sequenceNumber, "sequenceNumber");
		if (subSequenceNumber < 0) {
			throw new IllegalArgumentException("subSequenceNumber must not be negative");
		}
	}

	/**
	 * A checkpoint at a plain record.
	 * @param sequenceNumber the record's sequence number
	 * @return the checkpoint
	 */
	public static Checkpoint at(String sequenceNumber) {
		return SHARD_END_VALUE.equals(sequenceNumber) ? SHARD_END : new Checkpoint(sequenceNumber, 0);
	}

	/**
	 * A start marker: nothing of the shard was handled yet, and reading begins with the
	 * records that arrived at or after the instant.
	 * @param timestamp when reading began
	 * @return the marker
	 */
	public static Checkpoint atTimestamp(Instant timestamp) {
		return new Checkpoint(AT_TIMESTAMP_PREFIX + timestamp.toEpochMilli(), 0);
	}

	/**
	 * Whether this is a start marker rather than a record's position.
	 * @return {@code true} for {@link #atTimestamp(Instant)} markers
	 */
	public boolean isTimestamp() {
		return this.sequenceNumber.startsWith(AT_TIMESTAMP_PREFIX);
	}

	/**
	 * The instant of a start marker.
	 * @return the instant
	 * @throws IllegalStateException when this is not a start marker
	 */
	public Instant timestamp() {
		if (!isTimestamp()) {
			throw new IllegalStateException(this + " is not a start marker");
		}
		return Instant.ofEpochMilli(Long.parseLong(this.sequenceNumber.substring(AT_TIMESTAMP_PREFIX.length())));
	}

	/**
	 * Whether this marks a shard read to its end.
	 * @return {@code true} for {@link #SHARD_END}
	 */
	public boolean isShardEnd() {
		return SHARD_END_VALUE.equals(this.sequenceNumber);
	}

	/**
	 * Orders checkpoints along the shard: start markers (by time) before every record,
	 * {@link #SHARD_END} after every record.
	 */
	@Override
	public int compareTo(Checkpoint other) {
		if (isShardEnd() || other.isShardEnd()) {
			return Boolean.compare(isShardEnd(), other.isShardEnd());
		}
		if (isTimestamp() || other.isTimestamp()) {
			if (isTimestamp() && other.isTimestamp()) {
				return timestamp().compareTo(other.timestamp());
			}
			return isTimestamp() ? -1 : 1;
		}
		int bySequence = new BigInteger(this.sequenceNumber).compareTo(new BigInteger(other.sequenceNumber));
		return (bySequence != 0) ? bySequence : Long.compare(this.subSequenceNumber, other.subSequenceNumber);
	}

	/**
	 * A compact text form, {@code sequence} or {@code sequence:sub}, for stores that keep
	 * strings.
	 * @return the text form
	 */
	public String toText() {
		return (this.subSequenceNumber == 0) ? this.sequenceNumber : this.sequenceNumber + ":" + this.subSequenceNumber;
	}

	/**
	 * Reads {@link #toText()}.
	 * @param text the text form
	 * @return the checkpoint
	 */
	public static Checkpoint fromText(String text) {
		if (text.startsWith(AT_TIMESTAMP_PREFIX)) {
			return new Checkpoint(text, 0);
		}
		int colon = text.indexOf(':');
		return (colon < 0) ? at(text)
				: new Checkpoint(text.substring(0, colon), Long.parseLong(text.substring(colon + 1)));
	}

}
