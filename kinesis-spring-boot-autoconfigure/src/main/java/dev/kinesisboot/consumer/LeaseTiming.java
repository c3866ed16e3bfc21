package dev.kinesisboot.consumer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * When a worker renews its leases, how long it waits for the store, and when it stops
 * reading a shard whose lease it could not renew.
 * <p>
 * A lease taken or renewed by a call sent at local time {@code t} expires at {@code t} +
 * the lease duration on the sender's clock (the checkpointers compute the expiry before
 * the call goes out). Renewals run every third of the lease duration. A worker that has
 * had no successful renewal sent after {@code t} stops reading the shard at {@code t +
 * duration - margin} on its own monotonic clock, so it has stopped before any other
 * worker can see the lease expired, <em>as long as the workers' wall clocks differ by
 * less than the margin</em> (a quarter of the lease duration: 2.5 s for the default 10
 * s). Cycles start at a fixed rate (counted from the previous cycle's start), their
 * renewals go out first, together with the heartbeat, and every store call is bounded by
 * {@link #storeTimeoutNanos()}: a slow store does not stretch the time between renewals
 * unless a whole cycle (several slow calls in a row) outlasts the interval; the next one
 * then starts at once, and the rule above stops the readers whose leases it could not
 * renew in time. The same margin sets a LATEST start marker back, since Kinesis stamps
 * arrivals with its own clock.
 *
 * @param leaseNanos the lease duration
 */
record LeaseTiming(long leaseNanos) {

	private static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	static LeaseTiming of(Duration leaseDuration) {
		return new LeaseTiming(leaseDuration.toNanos());
	}

	/**
	 * Time between lease cycles (renewals).
	 * @return a third of the lease, at least 100 ms
	 */
	long renewIntervalNanos() {
		return Math.max(MIN_INTERVAL_NANOS, this.leaseNanos / 3);
	}

	/**
	 * The clock-skew bound between workers.
	 * @return a quarter of the lease duration
	 */
	long marginNanos() {
		return this.leaseNanos / 4;
	}

	/**
	 * How long after sending its last successful renewal a worker may read a shard.
	 * @return the lease duration minus the margin
	 */
	long validForNanos() {
		return this.leaseNanos - marginNanos();
	}

	/**
	 * The longest wait for one store call.
	 * @return a third of the lease duration
	 */
	long storeTimeoutNanos() {
		return renewIntervalNanos();
	}

}
