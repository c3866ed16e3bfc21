package dev.kinesisboot.producer;

import java.util.HashMap;
import java.util.Map;

/**
 * The per-shard rate limits (records and bytes per second), one {@link ShardRateLimiter}
 * per shard, so that a stream with more shards takes more. Disabled, it lets everything
 * through. Not thread-safe: the producer uses it under its lock.
 */
final class RateGate {

	private final boolean enabled;

	private final int recordsPerSecond;

	private final long bytesPerSecond;

	private final Map<String, ShardRateLimiter> limiters = new HashMap<>();

	RateGate(ProducerOptions options) {
		this.enabled = options.rateLimitEnabled();
		this.recordsPerSecond = options.recordsPerSecondPerShard();
		this.bytesPerSecond = options.bytesPerSecondPerShard();
	}

	boolean enabled() {
		return this.enabled;
	}

	/**
	 * Takes one record of the given size from a shard's limits when they hold enough.
	 * @return 0 when taken (always when disabled), else the nanoseconds until it could be
	 */
	long tryTake(String shardId, long size, long nowNanos) {
		return this.enabled ? limiter(shardId, nowNanos).tryAcquire(size, nowNanos) : 0;
	}

	/**
	 * How long until a record of the given size could be taken, without taking it.
	 */
	long nanosUntil(String shardId, long size, long nowNanos) {
		return this.enabled ? limiter(shardId, nowNanos).nanosUntilAvailable(size, nowNanos) : 0;
	}

	/**
	 * How long until a shard's limits hold the given number of records.
	 */
	long nanosUntilRecords(String shardId, int records, long nowNanos) {
		return this.enabled ? limiter(shardId, nowNanos).nanosUntilRecords(records, nowNanos) : 0;
	}

	/**
	 * Forgets the limits of shards no longer open.
	 * @param map the current shard map
	 */
	void retain(ShardMap map) {
		this.limiters.keySet().removeIf((shardId) -> !map.contains(shardId));
	}

	private ShardRateLimiter limiter(String shardId, long nowNanos) {
		ShardRateLimiter limiter = this.limiters.get(shardId);
		if (limiter == null) {
			limiter = new ShardRateLimiter(this.recordsPerSecond, this.bytesPerSecond, nowNanos);
			this.limiters.put(shardId, limiter);
		}
		return limiter;
	}

}
