package dev.kinesisboot.support;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Exponential back-off with jitter: attempt 1 waits about {@code base}, each next attempt
 * twice as long, never above {@code max}; the actual delay is drawn uniformly between
 * half and all of it, so that many clients throttled at once do not retry in step.
 * Thread-safe.
 *
 * @param base the first delay
 * @param max the longest delay
 */
public record Backoff(Duration base, Duration max) {

	/**
	 * The upper bound of the delay before a retry.
	 * @param attempt the attempt that failed, from 1
	 * @return {@code min(max, base * 2^(attempt-1))}
	 */
	public long ceilingNanos(int attempt) {
		int shift = Math.min(Math.max(attempt - 1, 0), 30);
		long baseNanos = this.base.toNanos();
		long maxNanos = this.max.toNanos();
		return (baseNanos > (maxNanos >> shift)) ? maxNanos : Math.min(maxNanos, baseNanos << shift);
	}

	/**
	 * The delay before a retry, jittered.
	 * @param attempt the attempt that failed, from 1
	 * @return nanoseconds between half of and the whole {@link #ceilingNanos(int)}
	 */
	public long delayNanos(int attempt) {
		return delayNanos(attempt, ThreadLocalRandom.current());
	}

	/**
	 * The delay before a retry, jittered with the given generator (a seeded one makes it
	 * repeatable).
	 * @param attempt the attempt that failed, from 1
	 * @param random the source of jitter
	 * @return nanoseconds between half of and the whole {@link #ceilingNanos(int)}
	 */
	public long delayNanos(int attempt, RandomGenerator random) {
		long ceiling = ceilingNanos(attempt);
		long half = ceiling / 2;
		return half + random.nextLong(ceiling - half + 1);
	}

}
