package dev.kinesisboot.producer;

/**
 * Two token buckets for one shard, records and bytes per second, each holding at most one
 * second's worth. Not thread-safe: the producer uses it under its lock.
 */
final class ShardRateLimiter {

	private static final long NANOS_PER_SECOND = 1_000_000_000L;

	private final double recordsPerSecond;

	private final double bytesPerSecond;

	private double records;

	private double bytes;

	private long lastRefillNanos;

	ShardRateLimiter(int recordsPerSecond, long bytesPerSecond, long nowNanos) {
		this.recordsPerSecond = recordsPerSecond;
		this.bytesPerSecond = bytesPerSecond;
		this.records = recordsPerSecond;
		this.bytes = bytesPerSecond;
		this.lastRefillNanos = nowNanos;
	}

	/**
	 * Takes one record of the given size when both buckets hold enough.
	 * @param size the record's bytes
	 * @param nowNanos the current monotonic time
	 * @return 0 when taken, else the nanoseconds until it could be
	 */
	long tryAcquire(long size, long nowNanos) {
		long wait = nanosUntilAvailable(size, nowNanos);
		if (wait == 0) {
			this.records -= 1;
			this.bytes -= size;
		}
		return wait;
	}

	/**
	 * How long until a record of the given size could be taken, without taking it.
	 * @param size the record's bytes
	 * @param nowNanos the current monotonic time
	 * @return 0 when it could be taken now, else the nanoseconds to wait
	 */
	long nanosUntilAvailable(long size, long nowNanos) {
		refill(nowNanos);
		// a record larger than a second's worth (up to 10 MiB, on a stream that takes
		// such records) goes once the bucket is full, and leaves it in debt
		double needed = Math.min(size, this.bytesPerSecond);
		double recordWait = (this.records >= 1) ? 0 : (1 - this.records) / this.recordsPerSecond;
		double byteWait = (this.bytes >= needed) ? 0 : (needed - this.bytes) / this.bytesPerSecond;
		double wait = Math.max(recordWait, byteWait);
		return (wait == 0) ? 0 : Math.max(1, (long) Math.ceil(wait * NANOS_PER_SECOND));
	}

	/**
	 * How long until the records bucket holds a number of records, without taking them.
	 * @param records the records wanted, at most one second's worth
	 * @param nowNanos the current monotonic time
	 * @return 0 when it holds them now, else the nanoseconds to wait
	 */
	long nanosUntilRecords(int records, long nowNanos) {
		refill(nowNanos);
		double missing = Math.min(records, this.recordsPerSecond) - this.records;
		return (missing <= 0) ? 0 : Math.max(1, (long) Math.ceil(missing / this.recordsPerSecond * NANOS_PER_SECOND));
	}

	private void refill(long nowNanos) {
		long elapsed = nowNanos - this.lastRefillNanos;
		if (elapsed > 0) {
			double seconds = (double) elapsed / NANOS_PER_SECOND;
			this.records = Math.min(this.recordsPerSecond, this.records + seconds * this.recordsPerSecond);
			this.bytes = Math.min(this.bytesPerSecond, this.bytes + seconds * this.bytesPerSecond);
			this.lastRefillNanos = nowNanos;
		}
	}

}
