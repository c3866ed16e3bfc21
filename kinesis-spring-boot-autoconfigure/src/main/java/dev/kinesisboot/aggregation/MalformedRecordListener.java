package dev.kinesisboot.aggregation;

import dev.kinesisboot.record.KinesisRecord;

/**
 * Told when a record does not have the framing its format expects. The record is handed
 * over whole (never dropped); this lets a caller treat it as a decoding error, as the
 * listener containers do.
 */
@FunctionalInterface
public interface MalformedRecordListener {

	/**
	 * A record could not be split.
	 * @param record the whole record, as it is handed over (sub-sequence number 0)
	 * @param reason what is wrong with it
	 */
	void malformed(KinesisRecord<byte[]> record, String reason);

}
