package dev.kinesisboot.consumer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.LeaseLostException;
import dev.kinesisboot.consumer.StoreTraffic.Kind;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.support.AwsErrors;

/**
 * A checkpointer that passes every call on to a store and counts, when the store's answer
 * arrives, what the same call would cost the {@code DynamoDbCheckpointer}: the request,
 * the items and bytes it reads or writes and its capacity units (by
 * {@link DynamoDbLeaseItems}), plus what it would cost the {@code RedisCheckpointer} in
 * commands (a listing is one SMEMBERS and one HMGET per lease; every other call one
 * command). Items are keyed as today: every lease of a stream and group under one
 * partition key. Calls whose answer never arrives (the worker died) are not counted.
 */
final class MeteredCheckpointer implements Checkpointer {

	private final Checkpointer store;

	private final Function<String, Lease> stored;

	private final StoreTraffic traffic;

	private final String partitionKey;

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
		this.partitionKey = DynamoDbLeaseItems.streamKey(store.applicationName(), store.streamName());
	}

	@Override
	public CompletableFuture<List<Lease>> listLeases() {
		return this.store.listLeases().whenComplete((leases, error) -> {
			if (error != null) {
				return;
			}
			List<Integer> sizes = new ArrayList<>(leases.size());
			leases.forEach((lease) -> sizes.add(DynamoDbLeaseItems.size(this.partitionKey, lease)));
			List<List<Integer>> pages = DynamoDbLeaseItems.queryPages(sizes);
			for (int i = 0; i < pages.size(); i++) {
				List<Integer> page = pages.get(i);
				long bytes = page.stream().mapToLong(Integer::longValue).sum();
				// the Redis store lists the shard set, then reads each lease's hash
				long redis = (i == 0) ? 1 + leases.size() : 0;
				this.traffic.read(workerId(), this.partitionKey, Kind.QUERY, page.size(), bytes,
						DynamoDbLeaseItems.readUnits(bytes), redis);
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
		int before = DynamoDbLeaseItems.size(this.partitionKey, leaseBefore);
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
		return DynamoDbLeaseItems.size(this.partitionKey, this.stored.apply(shardId));
	}

	private void countItemRead(String shardId) {
		int bytes = sizeOf(shardId);
		this.traffic.read(workerId(), this.partitionKey, Kind.GET_ITEM, (bytes > 0) ? 1 : 0, bytes,
				DynamoDbLeaseItems.readUnits(bytes), 1);
	}

	private void countWrite(Kind kind, String shardId, int before, boolean applied) {
		int after = sizeOf(shardId);
		this.traffic.write(workerId(), this.partitionKey, kind, applied, after,
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
