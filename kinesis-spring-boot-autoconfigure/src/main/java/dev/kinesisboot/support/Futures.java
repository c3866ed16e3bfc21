package dev.kinesisboot.support;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
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
	 * Passes a failure on from inside a future's handler.
	 * @param error the failure
	 * @return an exception to throw
	 */
	public static CompletionException rethrow(Throwable error) {
		return (error instanceof CompletionException completion) ? completion : new CompletionException(error);
	}

}
