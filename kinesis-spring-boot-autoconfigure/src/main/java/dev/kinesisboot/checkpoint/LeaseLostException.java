package dev.kinesisboot.checkpoint;

/**
 * A worker wrote to a lease it no longer holds: another worker took it, or it expired.
 * The write was refused; the worker must stop reading that shard.
 */
public class LeaseLostException extends RuntimeException {

	private final String shardId;

	/**
	 * Creates an exception.
	 * @param shardId the shard whose lease was lost
	 * @param message what happened
	 */
	public LeaseLostException(String shardId, String message) {
		super(message);
		this.shardId = shardId;
	}

	/**
	 * The shard whose lease was lost.
	 * @return the shard id
	 */
	public String shardId() {
		return this.shardId;
	}

}
