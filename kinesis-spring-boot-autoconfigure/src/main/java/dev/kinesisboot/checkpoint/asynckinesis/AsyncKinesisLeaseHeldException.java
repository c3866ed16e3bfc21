package dev.kinesisboot.checkpoint.asynckinesis;

import java.util.List;

/**
 * An import was refused because async-kinesis workers still hold leases of the group:
 * they may still be reading, and would go on after the import.
 */
public class AsyncKinesisLeaseHeldException extends IllegalStateException {

	private final transient List<AsyncKinesisCheckpoint> liveLeases;

	/**
	 * Creates an exception.
	 * @param message what is held and the fix
	 * @param liveLeases the live leases
	 */
	public AsyncKinesisLeaseHeldException(String message, List<AsyncKinesisCheckpoint> liveLeases) {
		super(message);
		this.liveLeases = List.copyOf(liveLeases);
	}

	/**
	 * The leases that are still live.
	 * @return the leases
	 */
	public List<AsyncKinesisCheckpoint> liveLeases() {
		return this.liveLeases;
	}

}
