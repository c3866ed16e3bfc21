package dev.kinesisboot.benchmarks;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * The baseline a user would write by hand: per shard, GetShardIterator once, then
 * GetRecords (up to 10,000 records) again and again, at most one call per
 * {@code intervalMillis} per shard (Kinesis allows 5 per second), handing each record to
 * a callback. No leases, no checkpoints, no resharding, no error handling beyond
 * stopping.
 */
final class PlainGetRecordsLoop implements AutoCloseable {

	private final KinesisAsyncClient client;

	private final String stream;

	private final long intervalMillis;

	private final Consumer<Record> handler;

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

	private volatile boolean stopped;

	PlainGetRecordsLoop(KinesisAsyncClient client, String stream, long intervalMillis, Consumer<Record> handler) {
		this.client = client;
		this.stream = stream;
		this.intervalMillis = intervalMillis;
		this.handler = handler;
	}

	/**
	 * Starts one loop per shard.
	 * @param shards the shards
	 * @param type where to start
	 * @return completes when every loop has its iterator
	 */
	CompletableFuture<Void> start(List<Shard> shards, ShardIteratorType type) {
		return CompletableFuture.allOf(shards.stream()
			.map((shard) -> this.client
				.getShardIterator((r) -> r.streamName(this.stream).shardId(shard.shardId()).shardIteratorType(type))
				.thenAccept((response) -> next(response.shardIterator())))
			.toArray(CompletableFuture[]::new));
	}

	private void next(String iterator) {
		if (this.stopped || iterator == null) {
			return;
		}
		long started = System.nanoTime();
		this.client.getRecords((r) -> r.shardIterator(iterator).limit(10_000)).whenComplete((response, error) -> {
			if (error != null) {
				System.err.println("[benchmark] plain loop stopped: " + error);
				return;
			}
			response.records().forEach(this.handler);
			long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
			this.timer.schedule(() -> next(response.nextShardIterator()), Math.max(0, this.intervalMillis - waited),
					TimeUnit.MILLISECONDS);
		});
	}

	@Override
	public void close() {
		this.stopped = true;
		this.timer.shutdownNow();
	}

}
