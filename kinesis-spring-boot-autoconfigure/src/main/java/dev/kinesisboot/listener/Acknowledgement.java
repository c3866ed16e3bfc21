package dev.kinesisboot.listener;

/**
 * Handed to a listener method that declares it: writes the checkpoint of the records of
 * this shard handled so far, this one included. With {@code checkpointMode = "MANUAL"}
 * nothing else is written: a shard's position moves only when its records are
 * acknowledged (and a closed shard's children start only once its last record was).
 */
@FunctionalInterface
public interface Acknowledgement {

	/**
	 * Marks the records of this call handled and writes that position now. Does not throw
	 * when the shard's lease was lost meanwhile (its new owner reads them again) or when
	 * the store fails (the position is written later).
	 */
	void acknowledge();

}
