package dev.kinesisboot.producer;

/**
 * Turns a payload into the bytes of a Kinesis record.
 */
@FunctionalInterface
public interface PayloadSerializer {

	/**
	 * Serializes a payload.
	 * @param payload the payload, not {@code null}
	 * @return the record data
	 */
	byte[] serialize(Object payload);

}
