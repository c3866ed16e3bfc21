package dev.kinesisboot.listener;

/**
 * When a listener container writes checkpoints.
 */
public enum CheckpointMode {

	/** After each handled batch (or every checkpoint interval). */
	AUTO,

	/**
	 * Only when the listener calls {@link Acknowledgement#acknowledge()}, and at
	 * shutdown.
	 */
	MANUAL

}
