package dev.kinesisboot.support;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Small helpers for {@link CompletableFuture} chains over the SDK's asynchronous clients.
 */
public final class Futures {

	private Futures() {
	}

	/**
	 * Runs a call that returns a future, turning an exception thrown before the future
	 * into a failed one.
	 * @param <T> the result type
	 * @param call the call
	 * @return its future, or a failed one
	 */
	public static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> call) {
		try {
			CompletableFuture<T> future = call.get();
			return (future != null) ? future
					: CompletableFuture.failedFuture(new IllegalStateException("the call returned no future"));
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * A future that completes like the given one, or fails with a
	 * {@link TimeoutException} once the delay passed on the scheduler's clock. The
	 * original call is not cancelled (the SDK cannot take a call back); its late result
	 * is ignored.
	 * @param <T> the result type
	 * @param future the future
	 * @param scheduler the scheduler whose timer measures the delay
	 * @param timeoutNanos the delay
	 * @param what what is waited for, for the message
	 * @return the bounded future
	 */
	public static <T> CompletableFuture<T> withTimeout(CompletableFuture<T> future, Scheduler scheduler,
			long timeoutNanos, String what) {
		if (future.isDone()) {
			return future;
		}
		CompletableFuture<T> bounded = new CompletableFuture<>();
		Scheduler.Cancellable timer = scheduler.schedule(
				() -> bounded.completeExceptionally(
						new TimeoutException(what + " did not answer within " + (timeoutNanos / 1_000_000) + " ms")),
				timeoutNanos);
		future.whenComplete((value, error) -> {
			timer.cancel();
			if (error != null) {
				bounded.completeExceptionally(error);
			}
			else {
				bounded.complete(value);
			}
		});
		return bounded;
	}

	/**
	 * Asks until the answer is final, pausing between asks on the scheduler's timer (the
	 * pause doubles from the first to the longest), and fails once the time is up. For
	 * set-up waits such as "until the table is ACTIVE": no thread sleeps meanwhile.
	 * @param <T> the answer type
	 * @param scheduler the timer and the clock the time limit is measured on
	 * @param ask one ask
	 * @param isFinal whether an answer ends the wait
	 * @param pauses the pause after the first ask, then doubling, and the longest pause
	 * @param timeoutNanos the time limit
	 * @param timedOut the error to fail with, given the last answer
	 * @return the final answer; fails with the ask's error or the time-out's
	 */
	public static <T> CompletableFuture<T> poll(Scheduler scheduler, Supplier<CompletableFuture<T>> ask,
			Predicate<T> isFinal, Backoff pauses, long timeoutNanos, Function<T, RuntimeException> timedOut) {
		CompletableFuture<T> result = new CompletableFuture<>();
		poll(scheduler, ask, isFinal, pauses, scheduler.nanoTime() + timeoutNanos, timedOut, 1, result);
		return result;
	}

	private static <T> void poll(Scheduler scheduler, Supplier<CompletableFuture<T>> ask, Predicate<T> isFinal,
			Backoff pauses, long deadlineNanos, Function<T, RuntimeException> timedOut, int attempt,
			CompletableFuture<T> result) {
		call(ask).whenComplete((answer, error) -> {
			if (error != null) {
				result.completeExceptionally(error);
				return;
			}
			try {
				if (isFinal.test(answer)) {
					result.complete(answer);
				}
				else if (scheduler.nanoTime() >= deadlineNanos) {
					result.completeExceptionally(timedOut.apply(answer));
				}
				else {
					scheduler.schedule(
							() -> poll(scheduler, ask, isFinal, pauses, deadlineNanos, timedOut, attempt + 1, result),
							pauses.ceilingNanos(attempt));
				}
			}
			catch (RuntimeException ex) {
				result.completeExceptionally(ex);
			}
		});
	}

	/**
	 * Passes a failure on from inside a future's handler.
	 * @param error the failure
	 * @return an exception to throw
	 */
	public static CompletionException rethrow(Throwable error) {
		return (error instanceof CompletionException completion) ? completion : new CompletionException(error);
	}

}
