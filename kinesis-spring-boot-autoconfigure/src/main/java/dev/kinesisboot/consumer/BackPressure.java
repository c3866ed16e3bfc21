package dev.kinesisboot.consumer;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kinesisboot.metrics.MetricType;

/**
 * Bounds the records handed to the application and not yet handled
 * ({@link ConsumerOptions#maxQueueSize()}): a shard whose batch does not fit waits, so
 * its reading pauses, and the queue-size gauge follows the count. One batch always fits
 * when nothing is queued, however big. Thread-safe.
 */
final class BackPressure {

	private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

	private final StreamContext context;

	private final Map<String, String> labels;

	private final AtomicInteger queued = new AtomicInteger();

	BackPressure(StreamContext context) {
		this.context = context;
		this.labels = context.streamLabels();
		context.metrics().gauge(MetricType.CONSUMER_QUEUE_SIZE, 0, this.labels);
	}

	/**
	 * Waits until the records fit, then counts them.
	 * @param shard the shard they come from
	 * @param size how many
	 * @return completes once counted; fails with {@link ShardStoppedException} when the
	 * shard stops while waiting
	 */
	CompletableFuture<Void> acquire(Dispatcher.Shard shard, int size) {
		CompletableFuture<Void> admitted = new CompletableFuture<>();
		tryAcquire(shard, size, admitted);
		return admitted;
	}

	private void tryAcquire(Dispatcher.Shard shard, int size, CompletableFuture<Void> admitted) {
		if (shard.isStopRequested()) {
			admitted.completeExceptionally(new ShardStoppedException(shard.shardId()));
			return;
		}
		int current = this.queued.get();
		if (current > 0 && current + size > this.context.options().maxQueueSize()) {
			this.context.schedule(() -> tryAcquire(shard, size, admitted), RECHECK_NANOS);
			return;
		}
		if (!this.queued.compareAndSet(current, current + size)) {
			tryAcquire(shard, size, admitted);
			return;
		}
		this.context.metrics().gauge(MetricType.CONSUMER_QUEUE_SIZE, current + size, this.labels);
		admitted.complete(null);
	}

	/**
	 * Counts records as handled.
	 * @param size how many
	 */
	void release(int size) {
		this.context.metrics().gauge(MetricType.CONSUMER_QUEUE_SIZE, this.queued.addAndGet(-size), this.labels);
	}

	int queued() {
		return this.queued.get();
	}

}
