package dev.kinesisboot.support;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.random.RandomGenerator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link Scheduler}: {@link System#nanoTime()}, the UTC system clock, and
 * one daemon timer thread. A task that throws is logged and does not stop the timer.
 */
public final class SystemScheduler implements Scheduler {

	private static final Logger logger = LoggerFactory.getLogger(SystemScheduler.class);

	private final ScheduledThreadPoolExecutor timer;

	private final Clock clock;

	/**
	 * A scheduler with its own timer thread.
	 * @param threadName the timer thread's name
	 */
	public SystemScheduler(String threadName) {
		this(threadName, Clock.systemUTC());
	}

	/**
	 * A scheduler with its own timer thread and a given wall clock.
	 * @param threadName the timer thread's name
	 * @param clock the wall clock
	 */
	public SystemScheduler(String threadName, Clock clock) {
		this.clock = clock;
		this.timer = new ScheduledThreadPoolExecutor(1, daemon(threadName));
		// cancelled timeouts are common (one per read): do not keep them queued
		this.timer.setRemoveOnCancelPolicy(true);
		// once shut down, timers still waiting are dropped, not awaited
		this.timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
	}

	/**
	 * A thread factory for daemon threads named {@code prefix-N}.
	 * @param prefix the name prefix
	 * @return the factory
	 */
	public static ThreadFactory daemon(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * Runs a wait on a scheduler of its own, closed when the wait ends: for set-up steps
	 * that were given no scheduler.
	 * @param <T> the result type
	 * @param threadName the timer thread's name
	 * @param wait the wait, given the scheduler
	 * @return the wait's result
	 */
	public static <T> CompletableFuture<T> during(String threadName, Function<Scheduler, CompletableFuture<T>> wait) {
		SystemScheduler scheduler = new SystemScheduler(threadName);
		// the wait often ends on the timer thread, which then runs what the caller
		// chained
		// (an SDK call): the timer stops taking tasks but is not interrupted
		return Futures.call(() -> wait.apply(scheduler)).whenComplete((result, error) -> scheduler.timer.shutdown());
	}

	@Override
	public long nanoTime() {
		return System.nanoTime();
	}

	@Override
	public Clock clock() {
		return this.clock;
	}

	@Override
	public Cancellable schedule(Runnable task, long delayNanos) {
		try {
			ScheduledFuture<?> future = this.timer.schedule(() -> {
				try {
					task.run();
				}
				catch (RuntimeException ex) {
					logger.warn("Scheduled task failed", ex);
				}
			}, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
			return () -> future.cancel(false);
		}
		catch (RejectedExecutionException ex) {
			// closed meanwhile
			return Cancellable.NONE;
		}
	}

	@Override
	public RandomGenerator random() {
		return ThreadLocalRandom.current();
	}

	@Override
	public void close() {
		this.timer.shutdownNow();
	}

}
