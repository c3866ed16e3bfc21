package dev.kinesisboot.consumer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.LeaseLostException;
import dev.kinesisboot.checkpoint.WorkerBeat;
import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;
import dev.kinesisboot.consumer.StoreTraffic.Kind;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.support.AwsErrors;

/**
 * A checkpointer that passes every call on to a store and counts, when the store's answer
 * arrives, what the same call would cost the {@code DynamoDbCheckpointer}: the request,
 * the items and bytes it reads or writes and its capacity units (by
 * {@link DynamoDbLeaseItems}), plus what it would cost the {@code RedisCheckpointer} in
 * commands (a listing is one SMEMBERS and one HMGET per lease; every other call one
 * command). Items are keyed as a new group's are: each lease under its bucket's partition
 * key ({@code DynamoDbCheckpointer.DEFAULT_LEASE_BUCKETS} of them), heartbeats under one
 * key of their own. Calls whose answer never arrives (the worker died) are not counted.
 */
final class MeteredCheckpointer implements Checkpointer {

	private final Checkpointer store;

	private final Function<String, Lease> stored;

	private final StoreTraffic traffic;

	private final String streamKey;

	/**
	 * Counts a worker's calls.
	 * @param store the store the calls go to
	 * @param stored what the store holds for a shard now (for the size of the item a call
	 * reads or writes), or {@code null}
	 * @param traffic where the counts go
	 */
	MeteredCheckpointer(Checkpointer store, Function<String, Lease> stored, StoreTraffic traffic) {
		this.store = store;
		this.stored = stored;
		this.traffic = traffic;
		this.streamKey = DynamoDbLeaseItems.streamKey(store.applicationName(), store.streamName());
	}

	@Override
	public CompletableFuture<List<Lease>> listLeases() {
		return this.store.listLeases().whenComplete((leases, error) -> {
			if (error != null) {
				return;
			}
			// one Query per bucket, each paged on its own
			Map<String, List<Integer>> sizes = new TreeMap<>();
			for (int bucket = 0; bucket < DynamoDbCheckpointer.DEFAULT_LEASE_BUCKETS; bucket++) {
				sizes.put(DynamoDbLeaseItems.bucketKey(this.streamKey, bucket), new ArrayList<>());
			}
			leases.forEach((lease) -> {
				String key = DynamoDbLeaseItems.leaseKey(this.streamKey, lease.shardId());
				sizes.get(key).add(DynamoDbLeaseItems.size(key, lease));
			});
			// the Redis store lists the shard set, then reads each lease's hash
			long redis = 1 + leases.size();
			for (Map.Entry<String, List<Integer>> bucket : sizes.entrySet()) {
				for (List<Integer> page : DynamoDbLeaseItems.queryPages(bucket.getValue())) {
					long bytes = page.stream().mapToLong(Integer::longValue).sum();
					this.traffic.read(workerId(), bucket.getKey(), Kind.QUERY, page.size(), bytes,
							DynamoDbLeaseItems.readUnits(bytes), redis);
					redis = 0;
				}
			}
		});
	}

	@Override
	public CompletableFuture<List<WorkerBeat>> beat(int leases, long changes) {
		String key = DynamoDbLeaseItems.workersKey(this.streamKey);
		return this.store.beat(leases, changes).whenComplete((beats, error) -> {
			if (error != null) {
				return;
			}
			List<Integer> sizes = new ArrayList<>();
			int own = 0;
			for (WorkerBeat beat : beats) {
				int size = DynamoDbLeaseItems.size(DynamoDbLeaseItems.beatItem(this.streamKey, beat));
				sizes.add(size);
				if (beat.workerId().equals(workerId())) {
					own = size;
				}
			}
			// one script in Redis: the write and the read
			this.traffic.write(workerId(), key, Kind.BEAT, true, own, DynamoDbLeaseItems.writeUnits(own, own), 1);
			for (List<Integer> page : DynamoDbLeaseItems.queryPages(sizes)) {
				long bytes = page.stream().mapToLong(Integer::longValue).sum();
				this.traffic.read(workerId(), key, Kind.BEAT_QUERY, page.size(), bytes,
						DynamoDbLeaseItems.readUnits(bytes), 0);
			}
		});
	}

	@Override
	public CompletableFuture<Void> endBeat() {
		return this.store.endBeat().whenComplete((ok, error) -> {
			if (error == null) {
				this.traffic.write(workerId(), DynamoDbLeaseItems.workersKey(this.streamKey), Kind.BEAT, true, 0, 1, 1);
			}
		});
	}

	@Override
	public CompletableFuture<Optional<Checkpoint>> getCheckpoint(String shardId) {
		return this.store.getCheckpoint(shardId).whenComplete((checkpoint, error) -> {
			if (error == null) {
				countItemRead(shardId);
			}
		});
	}

	@Override
	public CompletableFuture<Boolean> takeLease(String shardId, Lease expected) {
		int before = sizeOf(shardId);
		return this.store.takeLease(shardId, expected).whenComplete((taken, error) -> {
			if (error == null) {
				countWrite(Kind.TAKE, shardId, before, taken);
			}
		});
	}

	@Override
	public CompletableFuture<Boolean> renewLease(String shardId) {
		int before = sizeOf(shardId);
		return this.store.renewLease(shardId).whenComplete((renewed, error) -> {
			if (error == null) {
				countWrite(Kind.RENEW, shardId, before, renewed);
			}
		});
	}

	@Override
	public CompletableFuture<Void> releaseLease(String shardId) {
		Lease leaseBefore = this.stored.apply(shardId);
		int before = DynamoDbLeaseItems.size(DynamoDbLeaseItems.leaseKey(this.streamKey, shardId), leaseBefore);
		return this.store.releaseLease(shardId).whenComplete((ok, error) -> {
			if (error == null) {
				countWrite(Kind.RELEASE, shardId, before, !Objects.equals(leaseBefore, this.stored.apply(shardId)));
			}
		});
	}

	@Override
	public CompletableFuture<Void> checkpoint(String shardId, Checkpoint checkpoint) {
		int before = sizeOf(shardId);
		return this.store.checkpoint(shardId, checkpoint).whenComplete((ok, error) -> {
			if (error == null) {
				countWrite(Kind.CHECKPOINT, shardId, before, true);
			}
			else if (AwsErrors.unwrap(error) instanceof LeaseLostException) {
				countWrite(Kind.CHECKPOINT, shardId, before, false);
				// the DynamoDB store reads the item to tell a lost lease from an ended
				// shard
				countItemRead(shardId);
			}
		});
	}

	private int sizeOf(String shardId) {
		return DynamoDbLeaseItems.size(DynamoDbLeaseItems.leaseKey(this.streamKey, shardId),
				this.stored.apply(shardId));
	}

	private void countItemRead(String shardId) {
		int bytes = sizeOf(shardId);
		this.traffic.read(workerId(), DynamoDbLeaseItems.leaseKey(this.streamKey, shardId), Kind.GET_ITEM,
				(bytes > 0) ? 1 : 0, bytes, DynamoDbLeaseItems.readUnits(bytes), 1);
	}

	private void countWrite(Kind kind, String shardId, int before, boolean applied) {
		int after = sizeOf(shardId);
		this.traffic.write(workerId(), DynamoDbLeaseItems.leaseKey(this.streamKey, shardId), kind, applied, after,
				DynamoDbLeaseItems.writeUnits(before, after), 1);
	}

	@Override
	public String workerId() {
		return this.store.workerId();
	}

	@Override
	public String applicationName() {
		return this.store.applicationName();
	}

	@Override
	public String streamName() {
		return this.store.streamName();
	}

	@Override
	public Duration leaseDuration() {
		return this.store.leaseDuration();
	}

	@Override
	public Clock clock() {
		return this.store.clock();
	}

	@Override
	public void bindMetrics(MetricsCollector collector, Map<String, String> labels) {
		this.store.bindMetrics(collector, labels);
	}

	@Override
	public void close() {
		this.store.close();
	}

}
