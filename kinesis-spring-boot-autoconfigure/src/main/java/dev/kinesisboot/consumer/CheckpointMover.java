package dev.kinesisboot.consumer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.support.Streams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Resets or moves a consumer group's checkpoints of a stream, safely while its workers
 * run. For each shard it takes the shard's lease through the lease store (as a worker
 * balancing load would), writes the new position and releases the lease:
 * <ul>
 * <li>the worker that read the shard finds at its next renewal (within a third of the
 * lease duration) that the lease is gone and stops reading it at once; its later
 * checkpoint writes are refused, so it cannot write over the new position;</li>
 * <li>whichever worker takes the free lease next starts from the stored position, not
 * from what it remembers having handled.</li>
 * </ul>
 * A shard already read to its end ({@code SHARD_END}) is re-opened at the new position
 * and read again; its child shards wait until it is read to its end again, as after a
 * reshard. Records being handled when a shard moves may be handled once more after the
 * move, as after any lease change.
 * <p>
 * The store must be a checkpointer of the group and stream with a worker id of its own
 * (from the {@code CheckpointerFactory}), never a running consumer's: the move would
 * otherwise race with that consumer's own writes.
 */
public final class CheckpointMover {

	private static final Logger logger = LoggerFactory.getLogger(CheckpointMover.class);

	/** How often a shard is tried when its lease keeps changing under the move. */
	private static final int ATTEMPTS = 10;

	private final KinesisAsyncClient client;

	private final String stream;

	private final Checkpointer store;

	/**
	 * A mover for one group's checkpoints of one stream.
	 * @param client lists the stream's shards
	 * @param stream the stream name or ARN
	 * @param store a checkpointer of the group and stream with a worker id of its own
	 */
	public CheckpointMover(KinesisAsyncClient client, String stream, Checkpointer store) {
		this.client = Objects.requireNonNull(client, "client");
		this.stream = Objects.requireNonNull(stream, "stream");
		this.store = Objects.requireNonNull(store, "store");
	}

	/**
	 * Moves every shard of the stream, open and closed, to one position.
	 * @param target where to
	 * @return completes with what was moved and what was kept
	 */
	public CompletableFuture<Result> moveAll(Target target) {
		Instant now = this.store.clock().instant();
		return Streams.listShards(this.client, (request) -> {
			if (Streams.isArn(this.stream)) {
				request.streamARN(this.stream);
			}
			else {
				request.streamName(this.stream);
			}
		}).thenCompose((shards) -> {
			Map<String, Checkpoint> positions = new LinkedHashMap<>();
			for (Shard shard : shards) {
				positions.put(shard.shardId(), target.position(now));
			}
			return move(positions);
		});
	}

	/**
	 * Moves some shards, each to its own position; {@link #afterSequenceNumber(String)}
	 * gives the position after a record.
	 * @param positions the position of each shard to move
	 * @return completes with what was moved and what was kept
	 */
	public CompletableFuture<Result> move(Map<String, Checkpoint> positions) {
		Map<String, Checkpoint> moved = Collections.synchronizedMap(new LinkedHashMap<>());
		List<String> reopened = Collections.synchronizedList(new ArrayList<>());
		CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
		// one shard after the other: a move is an operator's action, not a hot path
		for (Map.Entry<String, Checkpoint> entry : positions.entrySet()) {
			all = all.thenCompose(
					(ignored) -> moveShard(entry.getKey(), entry.getValue(), ATTEMPTS).thenAccept((wasEnded) -> {
						moved.put(entry.getKey(), entry.getValue());
						if (wasEnded) {
							reopened.add(entry.getKey());
						}
					}));
		}
		return all.thenApply((ignored) -> {
			logger.info("Moved the checkpoints of group '{}' on stream '{}': {}; re-opened (had been read to their "
					+ "end): {}", this.store.applicationName(), this.stream, moved, reopened);
			return new Result(Map.copyOf(moved), List.copyOf(reopened));
		});
	}

	/**
	 * Moves one shard; {@code true} when it had been read to its end and was re-opened.
	 */
	private CompletableFuture<Boolean> moveShard(String shardId, Checkpoint position, int attemptsLeft) {
		return this.store.listLeases().thenCompose((leases) -> {
			Lease current = leases.stream().filter((lease) -> lease.shardId().equals(shardId)).findFirst().orElse(null);
			boolean ended = current != null && current.isFinished();
			return this.store.takeLease(shardId, current).thenCompose((taken) -> {
				if (!taken) {
					// renewed or taken between the read and the take: read again
					if (attemptsLeft <= 1) {
						return CompletableFuture.failedFuture(new IllegalStateException("The lease of shard " + shardId
								+ " kept changing; its checkpoint was not moved, try again"));
					}
					return moveShard(shardId, position, attemptsLeft - 1);
				}
				CompletableFuture<Void> write = ended ? this.store.reopen(shardId, position)
						: this.store.checkpoint(shardId, position);
				return write.handle((ok, error) -> error)
					.thenCompose((error) -> this.store.releaseLease(shardId)
						.thenCompose((released) -> (error != null) ? CompletableFuture.<Boolean>failedFuture(error)
								: CompletableFuture.completedFuture(ended)));
			});
		});
	}

	/**
	 * The position just after a record: reading resumes with the next one.
	 * @param sequenceNumber the record's sequence number
	 * @return the position
	 */
	public static Checkpoint afterSequenceNumber(String sequenceNumber) {
		return Checkpoint.at(sequenceNumber);
	}

	/**
	 * Where {@link #moveAll(Target)} moves every shard.
	 */
	public static final class Target {

		private final Function<Instant, Checkpoint> position;

		private final String description;

		private Target(String description, Function<Instant, Checkpoint> position) {
			this.description = description;
			this.position = position;
		}

		/**
		 * The oldest record each shard still holds.
		 * @return the target
		 */
		public static Target trimHorizon() {
			return new Target("TRIM_HORIZON", (now) -> Checkpoint.atTimestamp(Instant.EPOCH));
		}

		/**
		 * The records that arrive from the move on: what arrived before is not read.
		 * @return the target
		 */
		public static Target latest() {
			return new Target("LATEST", Checkpoint::atTimestamp);
		}

		/**
		 * The records that arrived at or after an instant.
		 * @param timestamp the instant
		 * @return the target
		 */
		public static Target atTimestamp(Instant timestamp) {
			Objects.requireNonNull(timestamp, "timestamp");
			return new Target("AT_TIMESTAMP " + timestamp, (now) -> Checkpoint.atTimestamp(timestamp));
		}

		Checkpoint position(Instant now) {
			return this.position.apply(now);
		}

		@Override
		public String toString() {
			return this.description;
		}

	}

	/**
	 * What a move did.
	 *
	 * @param moved the shards moved, with their new position
	 * @param reopened those of them that had been read to their end
	 */
	public record Result(Map<String, Checkpoint> moved, List<String> reopened) {
	}

}
