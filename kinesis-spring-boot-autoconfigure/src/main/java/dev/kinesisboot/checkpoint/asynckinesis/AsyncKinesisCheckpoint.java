package dev.kinesisboot.checkpoint.asynckinesis;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What async-kinesis keeps for one shard of a consumer group: the sequence number of the
 * last record it handled (it resumes after it), and its lease: who holds it and when that
 * worker last wrote a heartbeat.
 *
 * @param shardId the shard
 * @param sequenceNumber the last handled record's sequence number, or {@code null} when
 * the shard was never checkpointed
 * @param owner the holder ({@code "<name>/<id>"}), or {@code null} when released
 * @param heartbeat the holder's last heartbeat (whole seconds), or {@code null} when
 * released
 */
public record AsyncKinesisCheckpoint(String shardId, String sequenceNumber, String owner, Instant heartbeat) {

	/**
	 * async-kinesis's default session timeout: a lease is free this long after its
	 * heartbeat.
	 */
	public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(60);

	public AsyncKinesisCheckpoint {
		Objects.requireNonNull(shardId, "shardId");
	}

	/**
	 * Whether an async-kinesis worker may still be reading the shard: it holds the lease
	 * and wrote a heartbeat less than the session timeout ago (async-kinesis lets another
	 * worker take the lease only after that).
	 * @param now the current time
	 * @param sessionTimeout the async-kinesis consumers' session timeout
	 * @return {@code true} when the lease is live
	 */
	public boolean isLive(Instant now, Duration sessionTimeout) {
		return this.owner != null && this.heartbeat != null
				&& Duration.between(this.heartbeat, now).compareTo(sessionTimeout) < 0;
	}

}
