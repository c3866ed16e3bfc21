package dev.kinesisboot.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kinesisboot.record.KinesisRecord;

/**
 * The hand-off behind {@link KinesisConsumer#poll(Duration)}: readers put batches in, the
 * application takes records out, and a batch counts as handled once every record of it
 * was returned and the application asked for more. Records of a shard that stopped (lease
 * lost, handed over, consumer closed) are not returned; their batch fails, so nothing of
 * it is checkpointed and the next owner reads it again.
 * <p>
 * {@link #dispatch} is thread-safe; {@link #poll} is for one thread at a time.
 */
final class PollHandoff implements Dispatcher {

	private static final int MAX_POLL_RECORDS = 1000;

	private final BlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();

	private final BackPressure backPressure;

	private final StreamContext context;

	// guarded by this: what the last poll handed out, acknowledged by the next one
	private List<Delivery> polled = List.of();

	private volatile boolean closed;

	PollHandoff(StreamContext context) {
		this.context = context;
		this.backPressure = new BackPressure(context);
	}

	@Override
	public CompletableFuture<Void> dispatch(Shard shard, List<KinesisRecord<byte[]>> records) {
		return this.backPressure.acquire(shard, records.size()).thenCompose((admitted) -> {
			CompletableFuture<Void> done = new CompletableFuture<>();
			Batch batch = new Batch(shard, records.size(), done);
			records.forEach((record) -> this.queue.add(new Delivery(record, batch)));
			if (this.closed) {
				abandonQueued();
			}
			return done;
		});
	}

	/**
	 * Marks the records returned by the previous call handled, then waits for the next.
	 * @param timeout how long to wait
	 * @return the records, in order per shard; empty when none came in time
	 */
	List<KinesisRecord<byte[]>> poll(Duration timeout) {
		List<Delivery> previous;
		synchronized (this) {
			previous = this.polled;
			this.polled = List.of();
			if (this.closed) {
				// close() abandoned them
				return List.of();
			}
		}
		previous.forEach((delivery) -> delivery.batch().acknowledge());
		long deadline = this.context.scheduler().nanoTime() + timeout.toNanos();
		try {
			List<Delivery> taken = new ArrayList<>();
			while (taken.isEmpty()) {
				long left = deadline - this.context.scheduler().nanoTime();
				Delivery first = this.queue.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
				if (first == null) {
					return List.of();
				}
				List<Delivery> drained = new ArrayList<>();
				drained.add(first);
				this.queue.drainTo(drained, MAX_POLL_RECORDS - 1);
				for (Delivery delivery : drained) {
					if (delivery.batch().shard().isStopRequested()) {
						delivery.batch().abandon();
					}
					else {
						taken.add(delivery);
					}
				}
			}
			synchronized (this) {
				if (this.closed) {
					// closed while waiting: not handed out, so not handled
					taken.forEach((delivery) -> delivery.batch().abandon());
					return List.of();
				}
				this.polled = taken;
			}
			return taken.stream().map(Delivery::record).toList();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return List.of();
		}
	}

	/**
	 * Fails every batch not yet fully handled, those returned by the last poll included
	 * (the application may not have handled them), so stopping readers need not wait.
	 */
	@Override
	public void close() {
		List<Delivery> handedOut;
		synchronized (this) {
			this.closed = true;
			handedOut = this.polled;
			this.polled = List.of();
		}
		abandonQueued();
		handedOut.forEach((delivery) -> delivery.batch().abandon());
	}

	private void abandonQueued() {
		Delivery delivery;
		while ((delivery = this.queue.poll()) != null) {
			delivery.batch().abandon();
		}
	}

	private record Delivery(KinesisRecord<byte[]> record, Batch batch) {
	}

	/**
	 * A batch handed over by a reader, with the count of its records not yet
	 * acknowledged.
	 */
	private final class Batch {

		private final Shard shard;

		private final AtomicInteger remaining;

		private final CompletableFuture<Void> done;

		Batch(Shard shard, int size, CompletableFuture<Void> done) {
			this.shard = shard;
			this.remaining = new AtomicInteger(size);
			this.done = done;
		}

		Shard shard() {
			return this.shard;
		}

		void acknowledge() {
			PollHandoff.this.backPressure.release(1);
			if (this.remaining.decrementAndGet() == 0) {
				this.done.complete(null);
			}
		}

		void abandon() {
			PollHandoff.this.backPressure.release(1);
			this.done.completeExceptionally(new ShardStoppedException(this.shard.shardId()));
		}

	}

}
