package dev.kinesisboot.consumer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Futures;

import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;

/**
 * Reads a shard with GetShardIterator and GetRecords. Paces the calls: at most one per
 * {@link ConsumerOptions#minFetchInterval()} while behind, the poll interval once caught
 * up, and, while reads come back empty, a wait that doubles as far as needed to keep the
 * idle reads of all shards of the consumer under {@value #IDLE_CALLS_PER_SECOND} calls
 * per second, never past {@link ConsumerOptions#idlePollIntervalMax()}. A consumer of a
 * few shards so keeps reading every poll interval (the first record after a pause waits
 * no longer than that); one of hundreds spares its calls. A read is behind when Kinesis
 * says so ({@code MillisBehindLatest} above 0) or when it came back full
 * ({@link ConsumerOptions#maxRecordsPerCall()} records): then more are surely waiting,
 * whatever an emulator reports as the lag.
 */
final class PollingSource implements RecordSource {

	static final String EXPIRED_ITERATOR = "ExpiredIteratorException";

	/**
	 * The GetRecords calls per second all idle shards of a consumer may cost together.
	 */
	static final int IDLE_CALLS_PER_SECOND = 100;

	private final StreamContext context;

	private final String shardId;

	private final ShardPositions positions;

	private final IntSupplier shardsOwned;

	/** The iterator of the next read; {@code null} until opened or after it expired. */
	private String iterator;

	private long lastCallNanos;

	private int emptyReads;

	/**
	 * A source for one shard.
	 * @param context the stream
	 * @param shardId the shard
	 * @param positions where the shard was handled to
	 * @param shardsOwned how many shards the consumer reads now
	 */
	PollingSource(StreamContext context, String shardId, ShardPositions positions, IntSupplier shardsOwned) {
		this.context = context;
		this.shardId = shardId;
		this.positions = positions;
		this.shardsOwned = shardsOwned;
	}

	@Override
	public CompletableFuture<Batch> read() {
		CompletableFuture<String> iterator = (this.iterator != null) ? CompletableFuture.completedFuture(this.iterator)
				: openIterator();
		return iterator.thenCompose(this::getRecords);
	}

	private CompletableFuture<String> openIterator() {
		return openIterator(this.context, this.shardId, this.positions.startingPosition(null));
	}

	private static CompletableFuture<String> openIterator(StreamContext context, String shardId,
			StartingPosition position) {
		GetShardIteratorRequest.Builder request = GetShardIteratorRequest.builder().shardId(shardId);
		context.target(request::streamName, request::streamARN);
		request.shardIteratorType(position.type())
			.startingSequenceNumber(position.sequenceNumber())
			.timestamp(position.timestamp());
		return Futures.call(() -> context.client().getShardIterator(request.build()))
			.thenApply((response) -> response.shardIterator());
	}

	/**
	 * Whether a closed shard holds nothing after a position: one GetRecords from there
	 * returns no iterator and no record past it. For fan-out on emulators that never send
	 * the end-of-shard event.
	 * @param context the stream
	 * @param shardId the shard
	 * @param from where to look from (AT the last handled record, or the initial
	 * position)
	 * @return {@code true} when the shard was read to its end
	 */
	static CompletableFuture<Boolean> isReadToEnd(StreamContext context, String shardId, StartingPosition from) {
		String seen = (from.type() == ShardIteratorType.AT_SEQUENCE_NUMBER) ? from.sequenceNumber() : null;
		return openIterator(context, shardId, from)
			.thenCompose((iterator) -> Futures
				.call(() -> context.client().getRecords((request) -> request.shardIterator(iterator).limit(2))))
			.thenApply((response) -> response.nextShardIterator() == null
					&& response.records().stream().allMatch((record) -> record.sequenceNumber().equals(seen)));
	}

	private CompletableFuture<Batch> getRecords(String current) {
		this.lastCallNanos = this.context.scheduler().nanoTime();
		return Futures.call(() -> this.context.client()
			.getRecords((request) -> request.shardIterator(current).limit(this.context.options().maxRecordsPerCall())))
			.handle((response, error) -> {
				if (error != null) {
					if (EXPIRED_ITERATOR.equals(AwsErrors.errorType(error))) {
						// the next read opens a new one right after the last handled
						// record
						this.iterator = null;
					}
					throw Futures.rethrow(error);
				}
				String next = response.nextShardIterator();
				this.iterator = next;
				return new Batch(response.records(), response.millisBehindLatest(),
						response.hasChildShards() && !response.childShards().isEmpty(), next == null);
			});
	}

	@Override
	public boolean retryAtOnce(Throwable error) {
		return EXPIRED_ITERATOR.equals(AwsErrors.errorType(error));
	}

	@Override
	public long nextReadDelayNanos(Batch batch) {
		ConsumerOptions options = this.context.options();
		if (!batch.caughtUp() || batch.records().size() >= options.maxRecordsPerCall()) {
			this.emptyReads = 0;
			return Math.max(0,
					options.minFetchInterval().toNanos() - (this.context.scheduler().nanoTime() - this.lastCallNanos));
		}
		if (!batch.records().isEmpty()) {
			this.emptyReads = 0;
			return options.pollInterval().toNanos();
		}
		this.emptyReads = Math.min(this.emptyReads + 1, 30);
		long poll = options.pollInterval().toNanos();
		long grown = poll << Math.min(this.emptyReads - 1, 20);
		long budgeted = this.shardsOwned.getAsInt() * (TimeUnit.SECONDS.toNanos(1) / IDLE_CALLS_PER_SECOND);
		return Math.min(grown, Math.max(poll, Math.min(budgeted, options.idlePollIntervalMax().toNanos())));
	}

}
