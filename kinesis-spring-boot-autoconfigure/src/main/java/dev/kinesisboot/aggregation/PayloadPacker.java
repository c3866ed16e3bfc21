package dev.kinesisboot.aggregation;

import java.util.List;

import dev.kinesisboot.record.RecordExpander;

/**
 * Packs many small payloads into few Kinesis records in a format that consumers without
 * KPL support can split again, and gives the matching {@link RecordExpander} for a
 * {@code KinesisConsumer}. Put each packed record yourself, with a partition key of your
 * choice; every payload in it is delivered with that key.
 * <p>
 * Implementations are thread-safe.
 *
 * @see NewlineDelimitedJsonPacker
 * @see LengthPrefixedPacker
 */
public interface PayloadPacker {

	/**
	 * Packs payloads, in order, into as few records as the packer's maximum size allows.
	 * @param payloads the payloads
	 * @return the record data, in order
	 * @throws IllegalArgumentException when a payload cannot be packed (too large, or not
	 * valid for the format)
	 */
	List<byte[]> pack(List<byte[]> payloads);

	/**
	 * The expander that splits records packed by this packer back into payloads, each
	 * with the record's partition key and sequence number and its index as sub-sequence
	 * number.
	 * @return the expander, for {@code KinesisConsumer.Builder.recordExpander(..)}
	 */
	RecordExpander unpacker();

}
