package dev.kinesisboot.support;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A wait run on a timer of its own ends without disturbing the thread that finished it:
 * what the caller chained on the wait (an SDK call, for the DynamoDB checkpointer) runs
 * on that thread.
 */
class SystemSchedulerTests {

	@Test
	void theThreadThatEndsAWaitOnItsOwnTimerIsNotInterruptedForWhatFollows() {
		CountDownLatch chained = new CountDownLatch(1);
		CompletableFuture<Boolean> interrupted = SystemScheduler.during("test-wait", (scheduler) -> {
			CompletableFuture<Void> done = new CompletableFuture<>();
			scheduler.schedule(() -> {
				// the wait ends on the timer thread once the caller chained its next step
				awaitUninterruptibly(chained);
				done.complete(null);
			}, 0);
			return done;
		}).thenApply((ignored) -> Thread.currentThread().isInterrupted());
		chained.countDown();
		// before the fix the timer was shut down with an interrupt from its own thread,
		// and the caller's next step (a DynamoDB call) failed with
		// SdkInterruptedException
		assertThat(interrupted.join()).isFalse();
	}

	private static void awaitUninterruptibly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
