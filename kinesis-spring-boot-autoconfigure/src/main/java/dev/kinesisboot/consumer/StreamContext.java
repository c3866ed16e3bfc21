package dev.kinesisboot.consumer;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.record.RecordExpander;
import dev.kinesisboot.support.Backoff;
import dev.kinesisboot.support.Futures;
import dev.kinesisboot.support.Scheduler;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * What the parts of a consumer share about the stream they read: the client, the options,
 * where metrics go, and the scheduler that gives them time, timers and jitter. Handed to
 * each part instead of the consumer, so no part calls back into the object that created
 * it.
 *
 * @param streamName the stream's name
 * @param streamArn the stream's ARN when the consumer was given one, else {@code null}
 * @param client the Kinesis client
 * @param options the consumer's options
 * @param metrics where metrics go
 * @param scheduler time, timers and jitter
 * @param recordExpander how Kinesis records become user records
 * @param gate where readers wait while the consumer is paused
 */
record StreamContext(String streamName, String streamArn, KinesisAsyncClient client, ConsumerOptions options,
		MetricsCollector metrics, Scheduler scheduler, RecordExpander recordExpander, ReadGate gate) {

	/**
	 * A context whose readers are never paused.
	 * @param streamName the stream's name
	 * @param streamArn the stream's ARN, or {@code null}
	 * @param client the Kinesis client
	 * @param options the consumer's options
	 * @param metrics where metrics go
	 * @param scheduler time, timers and jitter
	 * @param recordExpander how Kinesis records become user records
	 */
	StreamContext(String streamName, String streamArn, KinesisAsyncClient client, ConsumerOptions options,
			MetricsCollector metrics, Scheduler scheduler, RecordExpander recordExpander) {
		this(streamName, streamArn, client, options, metrics, scheduler, recordExpander, new ReadGate());
	}

	/**
	 * Names the stream in a request: by ARN when one was given, else by name.
	 * @param byName sets the name
	 * @param byArn sets the ARN
	 */
	void target(Consumer<String> byName, Consumer<String> byArn) {
		if (this.streamArn != null) {
			byArn.accept(this.streamArn);
		}
		else {
			byName.accept(this.streamName);
		}
	}

	Map<String, String> streamLabels() {
		return MetricLabels.stream(this.streamName);
	}

	Backoff errorBackoff() {
		return new Backoff(this.options.errorBackoffBase(), this.options.errorBackoffMax());
	}

	/**
	 * Makes a call to Kinesis or the lease store, bounded in time on the scheduler's
	 * clock: an exception thrown before the future becomes a failed future, and an answer
	 * that does not come fails with a {@code TimeoutException}.
	 * @param <T> the result type
	 * @param call the call
	 * @param timeoutNanos the longest wait
	 * @param what what is called, for the time-out's message
	 * @return the bounded future
	 */
	<T> CompletableFuture<T> bounded(Supplier<CompletableFuture<T>> call, long timeoutNanos, String what) {
		return Futures.withTimeout(Futures.call(call), this.scheduler, timeoutNanos, what);
	}

	/**
	 * Runs a task after a delay on the scheduler.
	 * @param task the task
	 * @param delayNanos the delay
	 * @return a handle to cancel it
	 */
	Scheduler.Cancellable schedule(Runnable task, long delayNanos) {
		return this.scheduler.schedule(task, delayNanos);
	}

}
