package dev.kinesisboot.producer;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.HashKeyRange;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.SequenceNumberRange;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * A scripted stand-in for Kinesis in unit tests of the producer's logic: shards split the
 * hash range evenly, PutRecords answers on another thread with what the script says
 * (every entry stored by default).
 */
class FakeKinesisClient implements KinesisAsyncClient {

	static final BigInteger MAX_HASH = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

	final List<PutRecordsRequest> calls = new CopyOnWriteArrayList<>();

	final List<PutRecordsRequestEntry> stored = new CopyOnWriteArrayList<>();

	final AtomicInteger concurrent = new AtomicInteger();

	final AtomicInteger maxConcurrent = new AtomicInteger();

	private final List<Shard> shards;

	private final AtomicLong sequence = new AtomicLong();

	private final ExecutorService executor = Executors.newCachedThreadPool((runnable) -> {
		Thread thread = new Thread(runnable, "fake-kinesis");
		thread.setDaemon(true);
		return thread;
	});

	/**
	 * Per call: the error code of each entry (null = stored), or a failure of the whole
	 * call.
	 */
	volatile Function<PutRecordsRequest, Object> script = (request) -> null;

	volatile long latencyMillis;

	FakeKinesisClient(int shardCount) {
		this.shards = new ArrayList<>();
		BigInteger width = MAX_HASH.add(BigInteger.ONE).divide(BigInteger.valueOf(shardCount));
		for (int i = 0; i < shardCount; i++) {
			BigInteger start = width.multiply(BigInteger.valueOf(i));
			BigInteger end = (i == shardCount - 1) ? MAX_HASH : start.add(width).subtract(BigInteger.ONE);
			this.shards.add(Shard.builder()
				.shardId(String.format("shardId-%012d", i))
				.hashKeyRange(
						HashKeyRange.builder().startingHashKey(start.toString()).endingHashKey(end.toString()).build())
				.sequenceNumberRange(SequenceNumberRange.builder().startingSequenceNumber("0").build())
				.build());
		}
	}

	/** ListShards calls so far. */
	final AtomicInteger listShardsCalls = new AtomicInteger();

	/**
	 * The shard map of a stream of evenly split shards, as a producer reads it.
	 * @param shardCount the shards
	 * @return the map
	 */
	static ShardMap shardMap(int shardCount) {
		FakeKinesisClient client = new FakeKinesisClient(shardCount);
		try {
			return client.shardMap();
		}
		finally {
			client.close();
		}
	}

	/**
	 * This stream's shard map, as a producer reads it.
	 * @return the map
	 */
	ShardMap shardMap() {
		return ShardMap.of(this.shards);
	}

	@Override
	public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
		this.listShardsCalls.incrementAndGet();
		return CompletableFuture.completedFuture(ListShardsResponse.builder().shards(this.shards).build());
	}

	@Override
	public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
		this.calls.add(request);
		int now = this.concurrent.incrementAndGet();
		this.maxConcurrent.accumulateAndGet(now, Math::max);
		return CompletableFuture.supplyAsync(() -> {
			try {
				if (this.latencyMillis > 0) {
					Thread.sleep(this.latencyMillis);
				}
				Object outcome = this.script.apply(request);
				if (outcome instanceof RuntimeException failure) {
					throw failure;
				}
				if (outcome instanceof CompletableFuture<?>) {
					throw new IllegalStateException("script returned a future");
				}
				@SuppressWarnings("unchecked")
				List<String> codes = (outcome instanceof List<?>) ? (List<String>) outcome : null;
				List<PutRecordsResultEntry> results = new ArrayList<>();
				int failed = 0;
				for (int i = 0; i < request.records().size(); i++) {
					String code = (codes != null && i < codes.size()) ? codes.get(i) : null;
					if (code != null) {
						failed++;
						results.add(PutRecordsResultEntry.builder()
							.errorCode(code)
							.errorMessage("scripted " + code)
							.build());
					}
					else {
						PutRecordsRequestEntry entry = request.records().get(i);
						this.stored.add(entry);
						results.add(PutRecordsResultEntry.builder()
							.shardId(shardFor(entry.partitionKey()))
							.sequenceNumber(Long.toString(this.sequence.incrementAndGet()))
							.build());
					}
				}
				return PutRecordsResponse.builder().records(results).failedRecordCount(failed).build();
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
			finally {
				this.concurrent.decrementAndGet();
			}
		}, this.executor);
	}

	String shardFor(String partitionKey) {
		BigInteger hash = ShardMap.hashKey(partitionKey);
		for (Shard shard : this.shards) {
			if (hash.compareTo(new BigInteger(shard.hashKeyRange().startingHashKey())) >= 0
					&& hash.compareTo(new BigInteger(shard.hashKeyRange().endingHashKey())) <= 0) {
				return shard.shardId();
			}
		}
		throw new IllegalStateException("no shard for " + partitionKey);
	}

	List<Integer> batchSizes() {
		return this.calls.stream().map((call) -> call.records().size()).toList();
	}

	@Override
	public String serviceName() {
		return "kinesis";
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
