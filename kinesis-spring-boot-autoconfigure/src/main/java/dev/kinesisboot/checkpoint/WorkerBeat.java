package dev.kinesisboot.checkpoint;

import java.time.Instant;

/**
 * One worker's heartbeat in the lease store, written every lease cycle by
 * {@link Checkpointer#beat(int, long)}. Workers read each other's to know, without
 * reading every lease, how many workers share the stream, how many leases each holds and
 * whether one of them freed shards the others should look at.
 *
 * @param workerId the worker
 * @param leases how many leases it held when it wrote the heartbeat
 * @param changes a counter the worker increases when it frees shards that others should
 * look at (a shard read to its end, whose children may now be read)
 * @param expiresAt when the heartbeat lapses unless written again: after that the worker
 * counts as gone
 * @param written how many heartbeats the worker wrote since the store created its item:
 * counted by the store, so a worker that sees its own count fall knows that the store
 * lost what it held (restarted without persistence, failed over, re-created)
 */
public record WorkerBeat(String workerId, int leases, long changes, Instant expiresAt, long written) {

	/**
	 * Whether the worker counts as alive now.
	 * @param now the current time
	 * @return {@code true} before the heartbeat lapses
	 */
	public boolean isLive(Instant now) {
		return this.expiresAt != null && now.isBefore(this.expiresAt);
	}

}
