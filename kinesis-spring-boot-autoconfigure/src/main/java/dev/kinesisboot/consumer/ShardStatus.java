package dev.kinesisboot.consumer;

/**
 * What a consumer knows of one shard it reads, for health checks and dashboards.
 *
 * @param shardId the shard
 * @param state where its fetch loop stands
 * @param lastSequenceNumber the sequence number of the last record handled, or
 * {@code null}
 * @param millisBehindLatest the last MillisBehindLatest Kinesis reported, or {@code -1}
 * @param consecutiveErrors errors since the last successful read
 * @param lastError the last error, or {@code null}
 */
public record ShardStatus(String shardId, State state, String lastSequenceNumber, long millisBehindLatest,
		int consecutiveErrors, String lastError) {

	/**
	 * The state of a shard's fetch loop.
	 */
	public enum State {

		/** Reading. */
		RUNNING,

		/** Backing off after errors; it keeps retrying. */
		RETRYING,

		/** Read to its end and checkpointed at SHARD_END. */
		FINISHED,

		/** Stopped: the lease was lost or released, or the consumer closed. */
		STOPPED

	}

}
