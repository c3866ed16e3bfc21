package dev.kinesisboot.consumer;

import java.util.List;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.record.KinesisRecord;

import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;

/**
 * How far one shard was handled, and where a new iterator or subscription starts from
 * there. Shared by a {@link ShardReader} (which moves it) and its {@link RecordSource}
 * (which reads it). Thread-safe: the reader and the source take turns, never run at once.
 */
final class ShardPositions {

	private final ConsumerOptions options;

	private final boolean startAtOldest;

	private volatile Checkpoint lastHandled;

	/** The checkpoint a source re-opened at, until the first records are read. */
	private volatile Checkpoint resumeAt;

	/**
	 * Whether the next iterator opens at the tip (LATEST) although a start marker is set:
	 * the first one after the marker was made, so the tip is exactly Kinesis's; later
	 * ones (after an expiry, a failed open) resume at the marker.
	 */
	private volatile boolean tipFirst;

	/**
	 * Positions of a shard.
	 * @param options the initial position when nothing was handled
	 * @param startAtOldest whether to start at the oldest record instead (a child shard
	 * whose parents were read: it holds nothing older than them)
	 */
	ShardPositions(ConsumerOptions options, boolean startAtOldest) {
		this.options = options;
		this.startAtOldest = startAtOldest;
	}

	/**
	 * The last handled record, or {@code null}.
	 * @return the position
	 */
	Checkpoint lastHandled() {
		return this.lastHandled;
	}

	/**
	 * Whether a shard with no checkpoint needs a start marker: it is read from its tip
	 * (LATEST), so a later owner must learn where that tip was.
	 * @return {@code true} when the initial position is LATEST and the shard is not read
	 * from its oldest record
	 */
	boolean needsStartMarker() {
		return !this.startAtOldest && this.options.initialPosition() == InitialPosition.LATEST;
	}

	/**
	 * Starts reading at the tip, having stored a start marker taken just before: the
	 * first iterator opens at LATEST, any later one before a record was handled at the
	 * marker.
	 * @param marker the start marker
	 */
	void startedAtTip(Checkpoint marker) {
		this.lastHandled = marker;
		this.tipFirst = true;
	}

	/**
	 * Marks every record up to the position handled.
	 * @param position the position
	 */
	void handled(Checkpoint position) {
		this.lastHandled = position;
	}

	/**
	 * Where a new iterator or subscription starts: AT the last handled record (not AFTER:
	 * an aggregated record may hold user records after the checkpointed one, which
	 * {@link #skipHandled} drops), else after a position the source already passed
	 * without records, else the initial position.
	 * @param passedSequence a sequence number the source read up to, or {@code null}
	 * @return the starting position
	 */
	StartingPosition startingPosition(String passedSequence) {
		this.resumeAt = this.lastHandled;
		StartingPosition position = positionAfterHandled(passedSequence);
		this.tipFirst = false;
		return position;
	}

	/**
	 * {@link #startingPosition}, without preparing to skip re-read records.
	 * @param passedSequence a sequence number the source read up to, or {@code null}
	 * @return the starting position
	 */
	StartingPosition positionAfterHandled(String passedSequence) {
		Checkpoint from = this.lastHandled;
		if (from != null && !from.isTimestamp()) {
			return StartingPosition.builder()
				.type(ShardIteratorType.AT_SEQUENCE_NUMBER)
				.sequenceNumber(from.sequenceNumber())
				.build();
		}
		if (passedSequence != null) {
			return StartingPosition.builder()
				.type(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
				.sequenceNumber(passedSequence)
				.build();
		}
		if (from != null) {
			// a start marker: the first open goes to the tip, later ones to the marker
			return this.tipFirst ? StartingPosition.builder().type(ShardIteratorType.LATEST).build()
					: StartingPosition.builder()
						.type(ShardIteratorType.AT_TIMESTAMP)
						.timestamp(from.timestamp())
						.build();
		}
		if (this.startAtOldest) {
			return StartingPosition.builder().type(ShardIteratorType.TRIM_HORIZON).build();
		}
		return switch (this.options.initialPosition()) {
			case TRIM_HORIZON -> StartingPosition.builder().type(ShardIteratorType.TRIM_HORIZON).build();
			case LATEST -> StartingPosition.builder().type(ShardIteratorType.LATEST).build();
			case AT_TIMESTAMP -> StartingPosition.builder()
				.type(ShardIteratorType.AT_TIMESTAMP)
				.timestamp(this.options.startTimestamp())
				.build();
		};
	}

	/**
	 * After a source resumed AT the checkpoint's record, drops the user records of that
	 * record up to the checkpoint's sub-sequence number; only in the first records read.
	 * @param records the records read
	 * @param expanded their user records, changed in place
	 * @return 1 when the checkpoint's record was read again and held nothing new (it is
	 * then not counted as received), else 0
	 */
	int skipHandled(List<Record> records, List<KinesisRecord<byte[]>> expanded) {
		Checkpoint resumed = this.resumeAt;
		if (resumed == null || records.isEmpty()) {
			return 0;
		}
		this.resumeAt = null;
		String sequence = resumed.sequenceNumber();
		if (!records.get(0).sequenceNumber().equals(sequence)) {
			return 0;
		}
		expanded.removeIf((record) -> record.sequenceNumber().equals(sequence)
				&& record.subSequenceNumber() <= resumed.subSequenceNumber());
		return (expanded.isEmpty() || !expanded.get(0).sequenceNumber().equals(sequence)) ? 1 : 0;
	}

}
