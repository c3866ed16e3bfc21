package dev.kinesisboot.support;

import java.time.Clock;
import java.util.random.RandomGenerator;

/**
 * Where the consumer's and producer's parts get time, timers and randomness from, so that
 * none of them reads the wall clock, starts a thread or draws a random number on its own.
 * Production wires {@link SystemScheduler}; tests wire a virtual clock that runs hours of
 * behaviour in milliseconds, the same way for the same seed.
 * <p>
 * Implementations are thread-safe. Tasks may run on any thread and must not block.
 */
public interface Scheduler {

	/**
	 * A monotonic time for measuring intervals.
	 * @return nanoseconds from an arbitrary origin
	 */
	long nanoTime();

	/**
	 * Wall-clock time, for lease expiry and timestamps.
	 * @return the clock
	 */
	Clock clock();

	/**
	 * Runs a task after a delay. After {@link #close()} the task is dropped.
	 * @param task the task; must not block
	 * @param delayNanos the delay, 0 or more
	 * @return a handle to cancel it
	 */
	Cancellable schedule(Runnable task, long delayNanos);

	/**
	 * The source of jitter (back-off, random choices when balancing).
	 * @return a random generator
	 */
	RandomGenerator random();

	/**
	 * Stops running tasks; scheduled ones are dropped.
	 */
	void close();

	/**
	 * A scheduled task that may be cancelled.
	 */
	@FunctionalInterface
	interface Cancellable {

		/** A handle that cancels nothing. */
		Cancellable NONE = () -> {
		};

		/**
		 * Cancels the task if it has not run yet.
		 */
		void cancel();

	}

}
