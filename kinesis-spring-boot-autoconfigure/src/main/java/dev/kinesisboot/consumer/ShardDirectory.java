package dev.kinesisboot.consumer;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.support.Streams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The shards of the stream and how they descend from each other: lists them (every
 * {@link ConsumerOptions#shardRefreshInterval()}, and at once after a read named child
 * shards), counts reshards, and says which shards may be read now (their parents, both
 * for a merge, were read to their end). Thread-safe; refreshes are not run concurrently
 * by its one caller, the lease balancer.
 */
final class ShardDirectory {

	private static final Logger logger = LoggerFactory.getLogger(ShardDirectory.class);

	private final StreamContext context;

	private volatile Map<String, Shard> shards = Map.of();

	private Set<String> knownShardIds;

	private volatile boolean refreshRequested = true;

	// bumped when a listing shows other shards, or other shards closed, than the one
	// before
	private volatile int version;

	private int lastOpen = -1;

	private long nextRefreshNanos;

	ShardDirectory(StreamContext context) {
		this.context = context;
	}

	/** Asks for a new shard list at the next lease cycle. */
	void requestRefresh() {
		this.refreshRequested = true;
	}

	/**
	 * Lists the shards again when due or asked for.
	 * @param timeoutNanos the longest wait for the listing
	 * @return completes when listed, or at once when not due
	 */
	CompletableFuture<Void> refreshIfDue(long timeoutNanos) {
		long now = this.context.scheduler().nanoTime();
		if (!this.refreshRequested && now < this.nextRefreshNanos) {
			return CompletableFuture.completedFuture(null);
		}
		this.refreshRequested = false;
		return this.context.bounded(
				() -> Streams.listShards(this.context.client(),
						(request) -> this.context.target(request::streamName, request::streamARN)),
				timeoutNanos, "ListShards")
			.whenComplete((listed, error) -> {
				if (error != null) {
					this.refreshRequested = true;
				}
			})
			.thenAccept((listed) -> {
				apply(listed);
				this.nextRefreshNanos = now + this.context.options().shardRefreshInterval().toNanos();
			});
	}

	private void apply(List<Shard> listed) {
		Map<String, Shard> byId = new HashMap<>();
		int open = 0;
		for (Shard shard : listed) {
			byId.put(shard.shardId(), shard);
			if (!isClosed(shard)) {
				open++;
			}
		}
		Set<String> known = this.knownShardIds;
		if (known != null) {
			Set<Set<String>> reshards = new HashSet<>();
			for (Shard shard : listed) {
				if (!known.contains(shard.shardId()) && shard.parentShardId() != null) {
					Set<String> parents = new TreeSet<>();
					parents.add(shard.parentShardId());
					if (shard.adjacentParentShardId() != null) {
						parents.add(shard.adjacentParentShardId());
					}
					reshards.add(parents);
				}
			}
			if (!reshards.isEmpty()) {
				logger.info("Stream '{}' was resharded: new shards of {}", this.context.streamName(), reshards);
				this.context.metrics()
					.increment(MetricType.STREAM_RESHARDING_EVENTS, reshards.size(), this.context.streamLabels());
			}
		}
		if (open != this.lastOpen || !byId.keySet().equals(this.shards.keySet())) {
			this.version++;
			this.lastOpen = open;
		}
		Set<String> seen = new HashSet<>(byId.keySet());
		if (known != null) {
			seen.addAll(known);
		}
		this.knownShardIds = seen;
		this.shards = byId;
		this.context.metrics().gauge(MetricType.STREAM_SHARDS_ACTIVE, open, this.context.streamLabels());
		this.context.metrics()
			.gauge(MetricType.STREAM_SHARDS_CLOSED, listed.size() - open, this.context.streamLabels());
	}

	/**
	 * A number that changes whenever a listing shows other shards than the one before, or
	 * other shards closed.
	 * @return the version of the shard list
	 */
	int version() {
		return this.version;
	}

	/**
	 * The shards of the last listing, open and closed.
	 * @return shards by id
	 */
	Map<String, Shard> shards() {
		return this.shards;
	}

	/**
	 * Whether the last listing showed the shard closed (by a split or merge).
	 * @param shardId the shard
	 * @return {@code true} when it has an ending sequence number
	 */
	boolean isClosed(String shardId) {
		Shard shard = this.shards.get(shardId);
		return shard != null && isClosed(shard);
	}

	private static boolean isClosed(Shard shard) {
		return shard.sequenceNumberRange() != null && shard.sequenceNumberRange().endingSequenceNumber() != null;
	}

	/**
	 * Whether a shard descends from a shard still listed: then it holds nothing older
	 * than its parents' ends and is read from its oldest record.
	 * @param shardId the shard
	 * @return {@code true} when a parent is listed
	 */
	boolean hasListedParent(String shardId) {
		Shard shard = this.shards.get(shardId);
		return shard != null && (this.shards.containsKey(shard.parentShardId())
				|| this.shards.containsKey(shard.adjacentParentShardId()));
	}

	/**
	 * The shards that may be read now: not finished, and every listed parent finished.
	 * @param leases the leases by shard id
	 * @return shard ids, sorted
	 */
	List<String> readable(Map<String, Lease> leases) {
		Map<String, Shard> current = this.shards;
		return current.values().stream().filter((shard) -> {
			Lease lease = leases.get(shard.shardId());
			return (lease == null || !lease.isFinished()) && parentFinished(current, shard.parentShardId(), leases)
					&& parentFinished(current, shard.adjacentParentShardId(), leases);
		}).map(Shard::shardId).sorted().toList();
	}

	private static boolean parentFinished(Map<String, Shard> shards, String parentId, Map<String, Lease> leases) {
		if (parentId == null || !shards.containsKey(parentId)) {
			// no parent, or it expired past the retention period
			return true;
		}
		Lease lease = leases.get(parentId);
		return lease != null && lease.isFinished();
	}

}
