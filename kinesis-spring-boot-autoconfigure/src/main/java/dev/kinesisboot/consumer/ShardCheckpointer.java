package dev.kinesisboot.consumer;

import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.LeaseLostException;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Futures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of a shard's checkpoints: decides when a handled position is written
 * (after every batch, or at most once per {@link ConsumerOptions#checkpointInterval()}),
 * writes it through the store with a timeout, and remembers what was written. Only the
 * shard's reader uses it, one call at a time.
 */
final class ShardCheckpointer {

	private static final Logger logger = LoggerFactory.getLogger(ShardCheckpointer.class);

	private final Checkpointer store;

	private final String shardId;

	private final StreamContext context;

	private final long timeoutNanos;

	private volatile Checkpoint written;

	private long lastWriteNanos;

	ShardCheckpointer(Checkpointer store, String shardId, StreamContext context, LeaseTiming timing) {
		this.store = store;
		this.shardId = shardId;
		this.context = context;
		this.timeoutNanos = timing.storeTimeoutNanos();
		this.lastWriteNanos = context.scheduler().nanoTime();
	}

	/**
	 * The position stored when reading started.
	 * @param stored the stored checkpoint, or {@code null}
	 */
	void started(Checkpoint stored) {
		this.written = stored;
	}

	/**
	 * After a batch was handled: writes the position when due.
	 * @param position the last handled record
	 * @param force write now, whatever the interval
	 * @return completes when written or not due; a failed write is logged and left to the
	 * next one, except a lost lease, which fails with {@link LeaseLostException}
	 */
	CompletableFuture<Void> handled(Checkpoint position, boolean force) {
		if (position.equals(this.written)) {
			return CompletableFuture.completedFuture(null);
		}
		long now = this.context.scheduler().nanoTime();
		if (!force && now - this.lastWriteNanos < this.context.options().checkpointInterval().toNanos()) {
			return CompletableFuture.completedFuture(null);
		}
		return write(position).thenRun(() -> this.lastWriteNanos = now);
	}

	/**
	 * Writes a position not yet written, for a release or shutdown; never fails.
	 * @param position the last handled record, or {@code null}
	 * @return completes when written or given up
	 */
	CompletableFuture<Void> flush(Checkpoint position) {
		Checkpoint current = this.written;
		if (position == null || position.equals(current) || (current != null && current.isShardEnd())) {
			return CompletableFuture.completedFuture(null);
		}
		return write(position).exceptionally((error) -> null);
	}

	/**
	 * Writes {@link Checkpoint#SHARD_END}; the caller makes sure every record of the
	 * shard was handled.
	 * @return completes when written; fails with the store's error
	 */
	CompletableFuture<Void> shardEnd() {
		return Futures
			.withTimeout(Futures.call(() -> this.store.checkpoint(this.shardId, Checkpoint.SHARD_END)),
					this.context.scheduler(), this.timeoutNanos, "The checkpoint store")
			.thenRun(() -> this.written = Checkpoint.SHARD_END);
	}

	private CompletableFuture<Void> write(Checkpoint position) {
		return Futures
			.withTimeout(Futures.call(() -> this.store.checkpoint(this.shardId, position)), this.context.scheduler(),
					this.timeoutNanos, "The checkpoint store")
			.handle((ok, error) -> {
				if (error == null) {
					this.written = position;
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

}
