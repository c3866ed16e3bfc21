package dev.kinesisboot.checkpoint;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * What every checkpointer needs to know.
 *
 * @param applicationName the consumer group; checkpoints are kept per group
 * @param streamName the stream
 * @param workerId this worker's id, unique per consumer instance
 * ({@link WorkerIds#generate()})
 * @param leaseDuration how long a lease lasts without renewal
 * @param clock the clock leases are timed with
 */
public record CheckpointerSettings(String applicationName, String streamName, String workerId, Duration leaseDuration,
		Clock clock) {

	/** The default lease duration. */
	public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(10);

	public CheckpointerSettings {
		Objects.requireNonNull(applicationName, "applicationName");
		Objects.requireNonNull(streamName, "streamName");
		Objects.requireNonNull(workerId, "workerId");
		Objects.requireNonNull(leaseDuration, "leaseDuration");
		Objects.requireNonNull(clock, "clock");
		if (applicationName.isBlank() || streamName.isBlank()) {
			throw new IllegalArgumentException("applicationName and streamName must not be blank");
		}
		if (leaseDuration.isNegative() || leaseDuration.isZero()) {
			throw new IllegalArgumentException("leaseDuration must be positive, got " + leaseDuration);
		}
	}

	/**
	 * Settings with a generated worker id, the default lease duration and the system
	 * clock.
	 * @param applicationName the consumer group
	 * @param streamName the stream
	 * @return the settings
	 */
	public static CheckpointerSettings of(String applicationName, String streamName) {
		return new CheckpointerSettings(applicationName, streamName, WorkerIds.generate(), DEFAULT_LEASE_DURATION,
				Clock.systemUTC());
	}

	/**
	 * A copy with another worker id.
	 * @param workerId the worker id
	 * @return the copy
	 */
	public CheckpointerSettings withWorkerId(String workerId) {
		return new CheckpointerSettings(this.applicationName, this.streamName, workerId, this.leaseDuration,
				this.clock);
	}

	/**
	 * A copy with another lease duration.
	 * @param leaseDuration the lease duration
	 * @return the copy
	 */
	public CheckpointerSettings withLeaseDuration(Duration leaseDuration) {
		return new CheckpointerSettings(this.applicationName, this.streamName, this.workerId, leaseDuration,
				this.clock);
	}

	/**
	 * A copy with another clock.
	 * @param clock the clock
	 * @return the copy
	 */
	public CheckpointerSettings withClock(Clock clock) {
		return new CheckpointerSettings(this.applicationName, this.streamName, this.workerId, this.leaseDuration,
				clock);
	}

}
