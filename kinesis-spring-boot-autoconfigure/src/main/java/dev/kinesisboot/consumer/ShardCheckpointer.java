package dev.kinesisboot.consumer;

import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.LeaseLostException;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of a shard's checkpoints. Applies the consumer's {@link CheckpointMode}:
 * in {@code AUTO} a handled position is written after its batch, at most once per
 * {@link ConsumerOptions#checkpointInterval()} (a position handled within the interval is
 * written when it is over, unless a newer one came first); in {@code MANUAL} only
 * acknowledged positions are, when acknowledged. Writes go to the store one after the
 * other, each bounded by a timeout, and never move backwards. Thread-safe: the reader and
 * the application's acknowledgements may call it at once.
 */
final class ShardCheckpointer {

	private static final Logger logger = LoggerFactory.getLogger(ShardCheckpointer.class);

	private final Checkpointer store;

	private final String shardId;

	private final StreamContext context;

	private final long timeoutNanos;

	private final boolean manual;

	private final ShardProgress progress;

	private final Runnable leaseLost;

	// guarded by this
	private Checkpoint written;

	// guarded by this: the newest position handed to a write
	private Checkpoint requested;

	// guarded by this
	private Checkpoint acknowledged;

	// guarded by this: the last write, so the next one goes after it
	private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

	// guarded by this: the write waiting for the one before it, if any
	private Waiting waiting;

	// guarded by this
	private long lastWriteNanos;

	// guarded by this: a handled position not written yet because the interval was not
	// over, and the timer that writes it when it is
	private Checkpoint due;

	// guarded by this
	private Scheduler.Cancellable dueWrite = Scheduler.Cancellable.NONE;

	/**
	 * A checkpointer of one shard.
	 * @param store the lease store
	 * @param shardId the shard
	 * @param context the stream
	 * @param timing lease timing (the store timeout)
	 * @param progress what this worker knows it handled
	 * @param leaseLost told when a write due after the interval found the lease lost
	 */
	ShardCheckpointer(Checkpointer store, String shardId, StreamContext context, LeaseTiming timing,
			ShardProgress progress, Runnable leaseLost) {
		this.leaseLost = leaseLost;
		this.store = store;
		this.progress = progress;
		this.shardId = shardId;
		this.context = context;
		this.timeoutNanos = timing.storeTimeoutNanos();
		this.manual = context.options().checkpointMode() == CheckpointMode.MANUAL;
		this.lastWriteNanos = context.scheduler().nanoTime();
	}

	/**
	 * Where reading starts.
	 * @param stored the stored checkpoint, or {@code null}
	 * @param resumed where reading resumes: the stored checkpoint, or a later position
	 * this worker knows was handled, or {@code null}
	 */
	synchronized void started(Checkpoint stored, Checkpoint resumed) {
		this.written = stored;
		this.requested = stored;
		// handled and acknowledged, by this worker or an earlier owner
		this.acknowledged = resumed;
	}

	/**
	 * Writes a position whatever the mode: a start marker, or a position the store lost.
	 * @param position the position
	 * @return completes when written; fails with the store's error
	 */
	CompletableFuture<Void> mark(Checkpoint position) {
		this.progress.advance(this.shardId, position);
		return enqueue(position, false);
	}

	/**
	 * After a batch was handled: in {@code AUTO} mode, writes the position when due.
	 * @param position the last handled record
	 * @param force write now, whatever the interval
	 * @return completes when written or not due; a failed write is logged and left to the
	 * next one, except a lost lease, which fails with {@link LeaseLostException}
	 */
	CompletableFuture<Void> handled(Checkpoint position, boolean force) {
		if (this.manual) {
			return CompletableFuture.completedFuture(null);
		}
		this.progress.advance(this.shardId, position);
		synchronized (this) {
			long now = this.context.scheduler().nanoTime();
			long interval = this.context.options().checkpointInterval().toNanos();
			if (!force && now - this.lastWriteNanos < interval) {
				// written when the interval is over, unless a later batch comes first
				this.due = position;
				if (this.dueWrite == Scheduler.Cancellable.NONE) {
					this.dueWrite = this.context.schedule(this::writeDue, this.lastWriteNanos + interval - now);
				}
				return CompletableFuture.completedFuture(null);
			}
			this.lastWriteNanos = now;
			this.due = null;
		}
		return write(position);
	}

	private void writeDue() {
		Checkpoint position;
		synchronized (this) {
			this.dueWrite = Scheduler.Cancellable.NONE;
			position = this.due;
			this.due = null;
			if (position == null) {
				return;
			}
			this.lastWriteNanos = this.context.scheduler().nanoTime();
		}
		write(position).exceptionally((error) -> {
			this.leaseLost.run();
			return null;
		});
	}

	/** Drops a handled position waiting for the interval (the reader stopped). */
	synchronized void cancelDue() {
		this.dueWrite.cancel();
		this.dueWrite = Scheduler.Cancellable.NONE;
		this.due = null;
	}

	/**
	 * The application acknowledged every record up to the position ({@code MANUAL} mode):
	 * writes it now unless the shard is stopping, in which case the final flush writes
	 * it.
	 * @param position the position
	 * @param writeNow whether to write it now
	 * @return completes when written (or kept for the flush); fails with
	 * {@link LeaseLostException} when the lease was lost
	 */
	CompletableFuture<Void> acknowledged(Checkpoint position, boolean writeNow) {
		this.progress.advance(this.shardId, position);
		synchronized (this) {
			if (this.acknowledged == null || position.compareTo(this.acknowledged) > 0) {
				this.acknowledged = position;
			}
		}
		return writeNow ? write(position) : CompletableFuture.completedFuture(null);
	}

	/**
	 * Writes what is due at a release or shutdown: the last handled position
	 * ({@code AUTO}) or the last acknowledged one ({@code MANUAL}); never fails.
	 * @param lastHandled the last handled record, or {@code null}
	 * @return completes when written or given up
	 */
	CompletableFuture<Void> flush(Checkpoint lastHandled) {
		Checkpoint position;
		synchronized (this) {
			position = this.manual ? this.acknowledged : lastHandled;
		}
		if (position == null) {
			return CompletableFuture.completedFuture(null);
		}
		return write(position).exceptionally((error) -> null);
	}

	/**
	 * Writes {@link Checkpoint#SHARD_END}; the caller makes sure every record of the
	 * shard was handled (and, in {@code MANUAL} mode, acknowledged).
	 * @return completes when written; fails with the store's error
	 */
	CompletableFuture<Void> shardEnd() {
		return enqueue(Checkpoint.SHARD_END, true).thenRun(() -> this.progress.finished(this.shardId));
	}

	/**
	 * Whether the shard may be marked ended: in {@code MANUAL} mode only once the last
	 * record was acknowledged.
	 * @param last the last record of the shard, or {@code null} when it had none
	 * @return {@code true} when {@code SHARD_END} may be written
	 */
	synchronized boolean mayEnd(Checkpoint last) {
		return !this.manual || last == null || (this.acknowledged != null && this.acknowledged.compareTo(last) >= 0);
	}

	private CompletableFuture<Void> write(Checkpoint position) {
		return enqueue(position, false).handle((ok, error) -> {
			if (error == null) {
				return null;
			}
			Throwable cause = AwsErrors.unwrap(error);
			if (cause instanceof LeaseLostException lost) {
				throw lost;
			}
			// the records stay handled; the next checkpoint covers them
			logger.warn("Checkpoint of shard {} of stream '{}' at {} failed: {}", this.shardId,
					this.context.streamName(), position, cause.toString());
			return null;
		});
	}

	/**
	 * Chains a write after the previous one; skips positions not past the newest. While a
	 * write waits for the one before it, a newer position takes its place, so a burst of
	 * acknowledgements costs one store write, not one each.
	 */
	private synchronized CompletableFuture<Void> enqueue(Checkpoint position, boolean end) {
		Checkpoint newest = this.requested;
		if (newest != null && (newest.isShardEnd() || (!end && position.compareTo(newest) <= 0))) {
			return this.tail;
		}
		this.requested = position;
		if (this.waiting != null) {
			this.waiting.position = position;
			return this.tail;
		}
		Waiting next = new Waiting(position);
		this.waiting = next;
		this.tail = this.tail.handle((ok, error) -> null).thenCompose((ignored) -> store(next));
		return this.tail;
	}

	private CompletableFuture<Void> store(Waiting write) {
		Checkpoint position;
		synchronized (this) {
			position = write.position;
			if (this.waiting == write) {
				this.waiting = null;
			}
		}
		return this.context
			.bounded(() -> this.store.checkpoint(this.shardId, position), this.timeoutNanos, "The checkpoint store")
			.whenComplete((ok, error) -> {
				synchronized (this) {
					if (error == null) {
						this.written = position;
					}
					else if (position.equals(this.requested)) {
						// not stored: a later call may try the same position again
						this.requested = this.written;
					}
				}
			});
	}

	/** A write not started yet: the position it will write, until it starts. */
	private static final class Waiting {

		Checkpoint position;

		Waiting(Checkpoint position) {
			this.position = position;
		}

	}

}
