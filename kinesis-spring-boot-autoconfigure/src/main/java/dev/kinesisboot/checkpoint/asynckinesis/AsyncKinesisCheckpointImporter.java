package dev.kinesisboot.checkpoint.asynckinesis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the checkpoints of an async-kinesis consumer group into a {@link Checkpointer},
 * so that a Java consumer takes over where the Python consumers stopped, reading neither
 * less nor more than they would have.
 * <p>
 * async-kinesis stores the last record it handled and resumes AFTER it; our consumer
 * resumes AT its checkpoint and skips the user records up to the checkpoint's
 * sub-sequence number. Each shard is therefore written as "every user record of that
 * record handled": the sequence number with the largest sub-sequence number.
 * <p>
 * A shard is written only where our store has no checkpoint, while no worker of ours
 * holds its lease; the import takes the lease, writes the checkpoint and releases it,
 * through the {@link Checkpointer} SPI, so a consumer starting at the same time either
 * sees the imported checkpoint or wins the lease first. The import is refused as a whole
 * ({@link AsyncKinesisLeaseHeldException}) while an async-kinesis worker holds a live
 * lease (a heartbeat younger than the session timeout) of a shard it would write, unless
 * it is forced. One log line per shard says what was done.
 *
 * <pre>{@code
 * AsyncKinesisCheckpointImporter.builder(new RedisAsyncKinesisCheckpoints(redis, "orders-app"))
 *         .build()
 *         .importInto(checkpointerFactory.create("orders-app", "orders"))
 *         .join();
 * }</pre>
 *
 * Thread-safe; shards are imported one after the other.
 */
public final class AsyncKinesisCheckpointImporter {

	/**
	 * The sub-sequence number of an imported checkpoint: past every user record of the
	 * record, as async-kinesis handled the whole record before it stored its sequence.
	 */
	static final long WHOLE_RECORD = Long.MAX_VALUE;

	private static final Logger logger = LoggerFactory.getLogger(AsyncKinesisCheckpointImporter.class);

	private final AsyncKinesisCheckpointSource source;

	private final Clock clock;

	private final Duration sessionTimeout;

	private final boolean force;

	private AsyncKinesisCheckpointImporter(Builder builder) {
		this.source = builder.source;
		this.clock = builder.clock;
		this.sessionTimeout = builder.sessionTimeout;
		this.force = builder.force;
	}

	/**
	 * A builder.
	 * @param source where async-kinesis keeps the group's checkpoints
	 * @return the builder
	 */
	public static Builder builder(AsyncKinesisCheckpointSource source) {
		return new Builder(source);
	}

	/**
	 * Imports every shard's checkpoint.
	 * @param target our store, for the group and stream the Java consumers will read
	 * @return what was done per shard; fails with {@link AsyncKinesisLeaseHeldException}
	 * when async-kinesis still holds a live lease and the import is not forced (then
	 * nothing is written)
	 */
	public CompletableFuture<List<ImportedShard>> importInto(Checkpointer target) {
		Clock now = (this.clock != null) ? this.clock : target.clock();
		return this.source.read().thenCombine(target.listLeases(), (checkpoints, leases) -> {
			// only shards that would be written count: a group already moved stays
			// startable
			Map<String, Lease> ours = byShard(leases);
			List<AsyncKinesisCheckpoint> wanted = checkpoints.stream()
				.filter((checkpoint) -> checkpoint.sequenceNumber() != null)
				.filter((checkpoint) -> ours.get(checkpoint.shardId()) == null
						|| ours.get(checkpoint.shardId()).checkpoint() == null)
				.toList();
			checkNoLiveLease(wanted, now.instant(), target);
			return checkpoints;
		}).thenCompose((checkpoints) -> {
			CompletableFuture<List<ImportedShard>> done = CompletableFuture.completedFuture(new ArrayList<>());
			for (AsyncKinesisCheckpoint checkpoint : checkpoints) {
				done = done.thenCompose((results) -> importShard(checkpoint, target, now).thenApply((result) -> {
					log(result, target);
					results.add(result);
					return results;
				}));
			}
			return done;
		});
	}

	private void checkNoLiveLease(List<AsyncKinesisCheckpoint> checkpoints, Instant now, Checkpointer target) {
		List<AsyncKinesisCheckpoint> live = checkpoints.stream()
			.filter((checkpoint) -> checkpoint.isLive(now, this.sessionTimeout))
			.toList();
		if (live.isEmpty()) {
			return;
		}
		String leases = live.stream()
			.map((checkpoint) -> checkpoint.shardId() + " (held by " + checkpoint.owner() + ", heartbeat "
					+ Duration.between(checkpoint.heartbeat(), now).toSeconds() + " s ago)")
			.collect(Collectors.joining(", "));
		if (this.force) {
			logger.warn(
					"Importing async-kinesis checkpoints ({}) into group '{}' stream '{}' although leases are live: {}",
					this.source.describe(), target.applicationName(), target.streamName(), leases);
			return;
		}
		throw new AsyncKinesisLeaseHeldException("async-kinesis workers still hold leases in " + this.source.describe()
				+ ": " + leases + "; a lease counts as live for " + this.sessionTimeout.toSeconds()
				+ " s after its heartbeat. Nothing was imported: stop the async-kinesis consumers first (a graceful "
				+ "close releases the leases), wait for the session timeout, or force the import", live);
	}

	private CompletableFuture<ImportedShard> importShard(AsyncKinesisCheckpoint source, Checkpointer target,
			Clock now) {
		if (source.sequenceNumber() == null) {
			return CompletableFuture.completedFuture(
					new ImportedShard(source.shardId(), ImportedShard.Outcome.NOTHING_TO_IMPORT, source, null));
		}
		return target.listLeases().thenCompose((leases) -> {
			Lease lease = byShard(leases).get(source.shardId());
			if (lease != null && lease.checkpoint() != null) {
				return done(source, ImportedShard.Outcome.ALREADY_CHECKPOINTED, lease.checkpoint());
			}
			if (lease != null && !lease.isAvailable(now.instant()) && !target.workerId().equals(lease.owner())) {
				return done(source, ImportedShard.Outcome.LEASE_HELD, null);
			}
			return target.takeLease(source.shardId(), lease).thenCompose((taken) -> {
				if (!taken) {
					// another worker took it since: it reads the shard, or checkpointed
					// it
					return target.getCheckpoint(source.shardId())
						.thenCompose((found) -> found.isPresent()
								? done(source, ImportedShard.Outcome.ALREADY_CHECKPOINTED, found.get())
								: done(source, ImportedShard.Outcome.LEASE_HELD, null));
				}
				Checkpoint checkpoint = new Checkpoint(source.sequenceNumber(), WHOLE_RECORD);
				CompletableFuture<ImportedShard> written = target.checkpoint(source.shardId(), checkpoint)
					.thenApply((ignored) -> new ImportedShard(source.shardId(), ImportedShard.Outcome.IMPORTED, source,
							checkpoint));
				return written
					.handle((result, error) -> target.releaseLease(source.shardId())
						.thenCompose((ignored) -> (error != null) ? CompletableFuture.<ImportedShard>failedFuture(error)
								: CompletableFuture.completedFuture(result)))
					.thenCompose(Function.identity());
			});
		});
	}

	private static CompletableFuture<ImportedShard> done(AsyncKinesisCheckpoint source, ImportedShard.Outcome outcome,
			Checkpoint checkpoint) {
		return CompletableFuture.completedFuture(new ImportedShard(source.shardId(), outcome, source, checkpoint));
	}

	private static Map<String, Lease> byShard(List<Lease> leases) {
		return leases.stream().collect(Collectors.toMap(Lease::shardId, Function.identity(), (a, b) -> a));
	}

	private void log(ImportedShard result, Checkpointer target) {
		AsyncKinesisCheckpoint source = result.source();
		switch (result.outcome()) {
			case IMPORTED -> logger.info(
					"Imported async-kinesis checkpoint of shard {} into group '{}' stream '{}': handled through "
							+ "sequence number {} (from {}, last held by {})",
					result.shardId(), target.applicationName(), target.streamName(), source.sequenceNumber(),
					this.source.describe(), (source.owner() != null) ? source.owner() : "nobody");
			case ALREADY_CHECKPOINTED -> logger.info(
					"Did not import async-kinesis checkpoint {} of shard {}: group '{}' stream '{}' has checkpoint {}",
					source.sequenceNumber(), result.shardId(), target.applicationName(), target.streamName(),
					result.checkpoint().toText());
			case NOTHING_TO_IMPORT -> logger.info(
					"Nothing to import for shard {} of group '{}' stream '{}': async-kinesis never checkpointed it",
					result.shardId(), target.applicationName(), target.streamName());
			case LEASE_HELD -> logger.warn(
					"Did not import async-kinesis checkpoint {} of shard {}: another worker of group '{}' stream '{}' "
							+ "holds its lease and reads it already",
					source.sequenceNumber(), result.shardId(), target.applicationName(), target.streamName());
		}
	}

	/**
	 * Builds an {@link AsyncKinesisCheckpointImporter}.
	 */
	public static final class Builder {

		private final AsyncKinesisCheckpointSource source;

		private Clock clock;

		private Duration sessionTimeout = AsyncKinesisCheckpoint.DEFAULT_SESSION_TIMEOUT;

		private boolean force;

		private Builder(AsyncKinesisCheckpointSource source) {
			this.source = Objects.requireNonNull(source, "source");
		}

		/**
		 * The clock heartbeats are compared with (default: the target checkpointer's).
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock");
			return this;
		}

		/**
		 * The async-kinesis consumers' session timeout (default 60 s, its default).
		 * @param sessionTimeout how long a lease stays live after its heartbeat
		 * @return this builder
		 */
		public Builder sessionTimeout(Duration sessionTimeout) {
			if (sessionTimeout.isNegative()) {
				throw new IllegalArgumentException("sessionTimeout must not be negative, got " + sessionTimeout);
			}
			this.sessionTimeout = sessionTimeout;
			return this;
		}

		/**
		 * Imports although async-kinesis leases are live (the Python workers must be
		 * stopped anyway, or both read the shards).
		 * @param force whether to ignore live leases
		 * @return this builder
		 */
		public Builder force(boolean force) {
			this.force = force;
			return this;
		}

		/**
		 * Builds the importer.
		 * @return the importer
		 */
		public AsyncKinesisCheckpointImporter build() {
			return new AsyncKinesisCheckpointImporter(this);
		}

	}

}
