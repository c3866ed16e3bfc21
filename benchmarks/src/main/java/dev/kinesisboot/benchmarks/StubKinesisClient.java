package dev.kinesisboot.benchmarks;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.kinesis.model.HashKeyRange;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.SequenceNumberRange;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * An in-memory Kinesis stream for the JMH benchmarks: it answers at once and always
 * successfully, with futures that are already complete, so that what is measured is the
 * client library, not a network or an emulator. Only the calls the producer and the
 * consumer make are implemented; every other call throws
 * {@link UnsupportedOperationException} (the interface's default).
 * <ul>
 * <li>{@code listShards}: a fixed number of open shards splitting the hash-key space
 * evenly;</li>
 * <li>{@code putRecords}: accepts every entry, naming the shard its partition key hashes
 * to (cached per key, so use a bounded set of keys) and a constant sequence number;</li>
 * <li>{@code getRecords}: one of two prepared batches, taking turns on each shard (so
 * every batch moves the checkpoint on), with {@code millisBehindLatest > 0} so the
 * consumer reads again at once, and an iterator that never ends.</li>
 * </ul>
 * Thread-safe. Counts the calls so a benchmark can check the path it measures was taken.
 */
final class StubKinesisClient implements KinesisAsyncClient {

	private static final BigInteger HASH_SPACE = BigInteger.ONE.shiftLeft(128);

	private final String streamName;

	private final List<Shard> shards;

	private final List<BigInteger> shardStarts;

	private final Map<String, PutRecordsResultEntry> resultsByKey = new ConcurrentHashMap<>();

	private final GetRecordsResponse[] batches;

	private final AtomicLong putRecordsCalls = new AtomicLong();

	private final AtomicLong getRecordsCalls = new AtomicLong();

	/**
	 * A stream of open shards.
	 * @param streamName the stream name
	 * @param shardCount how many shards, splitting the hash-key space evenly
	 * @param recordsPerRead records in every GetRecords answer
	 * @param recordBytes data bytes of each of them
	 */
	StubKinesisClient(String streamName, int shardCount, int recordsPerRead, int recordBytes) {
		this.streamName = streamName;
		List<Shard> list = new ArrayList<>();
		List<BigInteger> starts = new ArrayList<>();
		BigInteger width = HASH_SPACE.divide(BigInteger.valueOf(shardCount));
		for (int i = 0; i < shardCount; i++) {
			BigInteger start = width.multiply(BigInteger.valueOf(i));
			BigInteger end = (i == shardCount - 1) ? HASH_SPACE.subtract(BigInteger.ONE)
					: start.add(width).subtract(BigInteger.ONE);
			starts.add(start);
			list.add(Shard.builder()
				.shardId(shardId(i))
				.hashKeyRange(
						HashKeyRange.builder().startingHashKey(start.toString()).endingHashKey(end.toString()).build())
				.sequenceNumberRange(SequenceNumberRange.builder().startingSequenceNumber("0").build())
				.build());
		}
		this.shards = List.copyOf(list);
		this.shardStarts = List.copyOf(starts);
		this.batches = new GetRecordsResponse[] { recordsBatch(0, recordsPerRead, recordBytes),
				recordsBatch(1, recordsPerRead, recordBytes) };
	}

	private static String shardId(int index) {
		return String.format("shardId-%012d", index);
	}

	private static GetRecordsResponse recordsBatch(int turn, int count, int recordBytes) {
		Instant arrival = Instant.now();
		List<Record> records = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			byte[] data = new byte[recordBytes];
			// plain JSON-ish bytes: never the KPL magic, so each record stays one user
			// record
			data[0] = '{';
			records.add(Record.builder()
				.sequenceNumber(
						String.format("49650000000000000000000000000000000000000000%012d", turn * count + i + 1))
				.partitionKey("key-" + i)
				.approximateArrivalTimestamp(arrival)
				.data(SdkBytes.fromByteArrayUnsafe(data))
				.build());
		}
		return GetRecordsResponse.builder()
			.records(records)
			.millisBehindLatest(60_000L)
			.nextShardIterator(iterator(1 - turn))
			.build();
	}

	private static String iterator(int turn) {
		return "iterator-" + turn;
	}

	/**
	 * PutRecords calls answered so far.
	 * @return the count
	 */
	long putRecordsCalls() {
		return this.putRecordsCalls.get();
	}

	/**
	 * GetRecords calls answered so far.
	 * @return the count
	 */
	long getRecordsCalls() {
		return this.getRecordsCalls.get();
	}

	@Override
	public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(
			DescribeStreamSummaryRequest request) {
		return CompletableFuture.completedFuture(DescribeStreamSummaryResponse.builder()
			.streamDescriptionSummary(StreamDescriptionSummary.builder()
				.streamName(this.streamName)
				.streamARN("arn:aws:kinesis:us-east-1:000000000000:stream/" + this.streamName)
				.streamStatus(StreamStatus.ACTIVE)
				.openShardCount(this.shards.size())
				.build())
			.build());
	}

	@Override
	public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
		return CompletableFuture.completedFuture(ListShardsResponse.builder().shards(this.shards).build());
	}

	@Override
	public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
		this.putRecordsCalls.incrementAndGet();
		List<PutRecordsRequestEntry> entries = request.records();
		List<PutRecordsResultEntry> results = new ArrayList<>(entries.size());
		for (PutRecordsRequestEntry entry : entries) {
			results.add(this.resultsByKey.computeIfAbsent(entry.partitionKey(), this::resultFor));
		}
		return CompletableFuture
			.completedFuture(PutRecordsResponse.builder().records(results).failedRecordCount(0).build());
	}

	private PutRecordsResultEntry resultFor(String partitionKey) {
		BigInteger hash = md5(partitionKey);
		int shard = this.shardStarts.size() - 1;
		while (hash.compareTo(this.shardStarts.get(shard)) < 0) {
			shard--;
		}
		return PutRecordsResultEntry.builder()
			.shardId(shardId(shard))
			.sequenceNumber("49650000000000000000000000000000000000000000000000000001")
			.build();
	}

	private static BigInteger md5(String partitionKey) {
		try {
			MessageDigest digest = MessageDigest.getInstance("MD5");
			return new BigInteger(1, digest.digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("MD5 is required by the Java platform", ex);
		}
	}

	@Override
	public CompletableFuture<GetShardIteratorResponse> getShardIterator(GetShardIteratorRequest request) {
		return CompletableFuture.completedFuture(GetShardIteratorResponse.builder().shardIterator(iterator(0)).build());
	}

	@Override
	public CompletableFuture<GetRecordsResponse> getRecords(GetRecordsRequest request) {
		this.getRecordsCalls.incrementAndGet();
		int turn = iterator(1).equals(request.shardIterator()) ? 1 : 0;
		return CompletableFuture.completedFuture(this.batches[turn]);
	}

	@Override
	public String serviceName() {
		return "kinesis";
	}

	@Override
	public void close() {
	}

}
