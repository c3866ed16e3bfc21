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
 * s). Every store call is bounded by {@link #storeTimeoutNanos()}, so one hung call
 * cannot hold a lease cycle past that point. The same margin sets a LATEST start marker
 * back, since Kinesis stamps arrivals with its own clock.
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
