package dev.kinesisboot.checkpoint;

import java.math.BigInteger;
import java.util.Objects;

/**
 * A position in a shard: every record up to and including it was handled. The
 * sub-sequence number points inside an aggregated (KPL) record; {@code 0} for plain
 * records. {@link #SHARD_END} marks a closed shard that was read to its end, which lets
 * its child shards start.
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
	 * Whether this marks a shard read to its end.
	 * @return {@code true} for {@link #SHARD_END}
	 */
	public boolean isShardEnd() {
		return SHARD_END_VALUE.equals(this.sequenceNumber);
	}

	/**
	 * Orders checkpoints along the shard; {@link #SHARD_END} comes after every record.
	 */
	@Override
	public int compareTo(Checkpoint other) {
		if (isShardEnd() || other.isShardEnd()) {
			return Boolean.compare(isShardEnd(), other.isShardEnd());
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
		int colon = text.indexOf(':');
		return (colon < 0) ? at(text)
				: new Checkpoint(text.substring(0, colon), Long.parseLong(text.substring(colon + 1)));
	}

}
