package dev.kinesisboot.listener;

/**
 * Handed to a listener method that declares it: writes the checkpoints of the records
 * handled so far, this one included. With {@code checkpointMode = "MANUAL"} nothing is
 * written until it is called (or the container stops).
 */
@FunctionalInterface
public interface Acknowledgement {

	/**
	 * Marks the records of this call handled and writes the buffered checkpoints now.
	 */
	void acknowledge();

}
