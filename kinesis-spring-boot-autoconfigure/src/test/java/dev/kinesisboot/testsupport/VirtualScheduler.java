package dev.kinesisboot.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

import dev.kinesisboot.support.Scheduler;

/**
 * A {@link Scheduler} on a virtual clock: nothing runs until the test runs it, time jumps
 * from one task to the next, and tasks due at the same time run in the order they were
 * scheduled. With the same seed and the same calls, every run is the same. Tasks run on
 * the calling thread; meant for one thread.
 */
public final class VirtualScheduler implements Scheduler {

	private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

	private final PriorityQueue<Task> queue = new PriorityQueue<>();

	private final Random random;

	private long now;

	private long sequence;

	private long tasksRun;

	private boolean closed;

	/**
	 * A scheduler at virtual time zero.
	 * @param seed the seed of its random generator
	 */
	public VirtualScheduler(long seed) {
		this.random = new Random(seed);
	}

	@Override
	public long nanoTime() {
		return this.now;
	}

	@Override
	public Clock clock() {
		return clockWithSkew(0);
	}

	private Clock clockWithSkew(long skewNanos) {
		return new Clock() {

			@Override
			public ZoneId getZone() {
				return ZoneOffset.UTC;
			}

			@Override
			public Clock withZone(ZoneId zone) {
				return this;
			}

			@Override
			public Instant instant() {
				return EPOCH.plusNanos(VirtualScheduler.this.now + skewNanos);
			}

		};
	}

	@Override
	public Cancellable schedule(Runnable task, long delayNanos) {
		if (this.closed) {
			return Cancellable.NONE;
		}
		Task scheduled = new Task(this.now + Math.max(0, delayNanos), this.sequence++, task);
		this.queue.add(scheduled);
		return () -> scheduled.cancelled = true;
	}

	@Override
	public RandomGenerator random() {
		return this.random;
	}

	@Override
	public void close() {
		this.closed = true;
		this.queue.clear();
	}

	/**
	 * Runs the next task, moving the clock to its time.
	 * @return {@code false} when no task is left
	 */
	public boolean runNext() {
		Task task;
		do {
			task = this.queue.poll();
			if (task == null) {
				return false;
			}
		}
		while (task.cancelled);
		this.now = Math.max(this.now, task.at);
		this.tasksRun++;
		task.task.run();
		return true;
	}

	/**
	 * Runs tasks until the condition holds or the clock would pass the deadline.
	 * @param condition checked before each task
	 * @param deadline the virtual time not to pass, from time zero
	 * @return {@code true} when the condition holds
	 */
	public boolean runUntil(BooleanSupplier condition, Duration deadline) {
		long limit = deadline.toNanos();
		while (!condition.getAsBoolean()) {
			Task next = peek();
			if (next == null || next.at > limit) {
				this.now = Math.max(this.now, Math.min(limit, (next != null) ? next.at : limit));
				return condition.getAsBoolean();
			}
			runNext();
		}
		return true;
	}

	/**
	 * Runs every task due within the given time, then moves the clock to its end.
	 * @param duration how far to go
	 */
	public void advance(Duration duration) {
		long until = this.now + duration.toNanos();
		Task next;
		while ((next = peek()) != null && next.at <= until) {
			runNext();
		}
		this.now = until;
	}

	private Task peek() {
		Task next;
		while ((next = this.queue.peek()) != null && next.cancelled) {
			this.queue.poll();
		}
		return next;
	}

	/**
	 * How many tasks ran so far.
	 * @return the count
	 */
	public long tasksRun() {
		return this.tasksRun;
	}

	/**
	 * A view of this scheduler for one simulated process: same time and tasks queue, a
	 * wall clock off by the skew, and tasks dropped once the view is closed (a crash).
	 * @param skew how far its wall clock is ahead (negative: behind)
	 * @return the view
	 */
	public Scheduler view(Duration skew) {
		VirtualScheduler parent = this;
		long skewNanos = skew.toNanos();
		return new Scheduler() {

			private boolean viewClosed;

			@Override
			public long nanoTime() {
				return parent.now;
			}

			@Override
			public Clock clock() {
				return parent.clockWithSkew(skewNanos);
			}

			@Override
			public Cancellable schedule(Runnable task, long delayNanos) {
				if (this.viewClosed) {
					return Cancellable.NONE;
				}
				return parent.schedule(() -> {
					if (!this.viewClosed) {
						task.run();
					}
				}, delayNanos);
			}

			@Override
			public RandomGenerator random() {
				return parent.random;
			}

			@Override
			public void close() {
				this.viewClosed = true;
			}

		};
	}

	private static final class Task implements Comparable<Task> {

		final long at;

		final long sequence;

		final Runnable task;

		boolean cancelled;

		Task(long at, long sequence, Runnable task) {
			this.at = at;
			this.sequence = sequence;
			this.task = task;
		}

		@Override
		public int compareTo(Task other) {
			int byTime = Long.compare(this.at, other.at);
			return (byTime != 0) ? byTime : Long.compare(this.sequence, other.sequence);
		}

	}

}
