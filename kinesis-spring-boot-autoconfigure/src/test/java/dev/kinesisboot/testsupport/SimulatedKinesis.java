package dev.kinesisboot.testsupport;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.kinesisboot.support.Scheduler;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.kinesis.model.ChildShard;
import software.amazon.awssdk.services.kinesis.model.ConsumerDescription;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamConsumerRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamConsumerResponse;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.kinesis.model.HashKeyRange;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.SequenceNumberRange;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEventStream;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardRequest;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponse;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

/**
 * A Kinesis stream for the consumer and producer simulations: shards with hash ranges,
 * puts routed by the MD5 of the partition key, splits and merges with parent links and
 * ChildShards, GetRecords limits, iterators that expire after 5 minutes, and
 * MillisBehindLatest. Each worker talks to it through its own {@link #client client},
 * which adds latency, throttling and lost responses (answered by a client-side timeout,
 * as the SDK's {@code apiCallTimeout} would) drawn from the run's random generator;
 * PutRecords also refuses single entries, fails with connection errors (nothing stored)
 * and loses responses after storing. Single-threaded, like the virtual clock it runs on.
 */
public final class SimulatedKinesis {

	/** The stream's ARN, which DescribeStreamSummary returns (fan-out needs it). */
	public static final String STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";

	public static final BigInteger MAX_HASH = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

	private static final long ITERATOR_LIFETIME_NANOS = TimeUnit.MINUTES.toNanos(5);

	private static final long CLIENT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

	private final Scheduler clock;

	private final Random random;

	private final Map<String, SimShard> shards = new LinkedHashMap<>();

	/**
	 * Per shard: where the first LATEST iterator pointed (how many records it had then).
	 */
	private final Map<String, Integer> firstLatest = new LinkedHashMap<>();

	private BigInteger nextSequence = new BigInteger("49600000000000000000000000000000000000000000000000000000");

	private int nextShardNumber;

	/**
	 * Per call: the chance of a throttling error, of a lost response, and the latency
	 * cap.
	 */
	public double throttleRate;

	public double lostRate;

	public long maxLatencyNanos = TimeUnit.MILLISECONDS.toNanos(50);

	/** Per PutRecords entry: the chance Kinesis refuses it (throttled or internal). */
	public double entryFailureRate;

	/** Per PutRecords call: the chance it fails before reaching Kinesis. */
	public double connectionErrorRate;

	/** What DescribeStreamSummary says as MaxRecordSizeInKiB ({@code null}: absent). */
	public Integer maxRecordSizeInKiB;

	private final List<Stored> putLog = new ArrayList<>();

	/** Where the answered iterator requests are told, for the trace. */
	public java.util.function.Consumer<String> trace = (event) -> {
	};

	public SimulatedKinesis(Scheduler clock, Random random, int shardCount) {
		this.clock = clock;
		this.random = random;
		BigInteger width = MAX_HASH.add(BigInteger.ONE).divide(BigInteger.valueOf(shardCount));
		for (int i = 0; i < shardCount; i++) {
			BigInteger start = width.multiply(BigInteger.valueOf(i));
			BigInteger end = (i == shardCount - 1) ? MAX_HASH : start.add(width).subtract(BigInteger.ONE);
			addShard(start, end, null, null);
		}
	}

	private SimShard addShard(BigInteger start, BigInteger end, String parent, String adjacentParent) {
		SimShard shard = new SimShard(String.format("shardId-%012d", this.nextShardNumber++), start, end, parent,
				adjacentParent, this.nextSequence);
		this.shards.put(shard.id, shard);
		return shard;
	}

	/**
	 * Stores a record in the open shard its key hashes to.
	 * @param partitionKey the key
	 * @param data the data
	 * @return the stored record and its shard
	 */
	public Stored put(String partitionKey, String data) {
		return put(partitionKey, hash(partitionKey), SdkBytes.fromString(data, StandardCharsets.UTF_8));
	}

	/**
	 * Stores a record in the open shard its hash falls in.
	 * @param partitionKey the key
	 * @param hash the hash key (the key's MD5, or an explicit hash key)
	 * @param data the data
	 * @return the stored record and its shard
	 */
	public Stored put(String partitionKey, BigInteger hash, SdkBytes data) {
		SimShard shard = this.shards.values()
			.stream()
			.filter((candidate) -> !candidate.closed && candidate.covers(hash))
			.findFirst()
			.orElseThrow();
		return store(shard, partitionKey, data);
	}

	/**
	 * Stores a record in a given open shard, without looking its hash up: for load models
	 * that feed thousands of shards every second.
	 * @param shardId the shard
	 * @param partitionKey the key
	 * @param data the data
	 * @return the stored record and its shard
	 */
	public Stored putToShard(String shardId, String partitionKey, SdkBytes data) {
		SimShard shard = this.shards.get(shardId);
		if (shard == null || shard.closed) {
			throw new IllegalArgumentException("Shard " + shardId + " is not open");
		}
		return store(shard, partitionKey, data);
	}

	private Stored store(SimShard shard, String partitionKey, SdkBytes data) {
		this.nextSequence = this.nextSequence.add(BigInteger.ONE);
		Record record = Record.builder()
			.sequenceNumber(this.nextSequence.toString())
			.partitionKey(partitionKey)
			.approximateArrivalTimestamp(this.clock.clock().instant())
			.data(data)
			.build();
		shard.records.add(record);
		shard.arrivals.add(this.clock.nanoTime());
		Stored stored = new Stored(shard.id, record);
		this.putLog.add(stored);
		return stored;
	}

	/**
	 * Every record stored so far, in the order Kinesis stored them.
	 * @return the records
	 */
	public List<Stored> putLog() {
		return this.putLog;
	}

	/**
	 * Splits an open shard in two halves of its hash range.
	 * @return a description, or {@code null} when no shard was open
	 */
	public String splitRandomShard() {
		List<SimShard> open = openShards();
		if (open.isEmpty()) {
			return null;
		}
		SimShard parent = open.get(this.random.nextInt(open.size()));
		if (parent.end.subtract(parent.start).compareTo(BigInteger.TWO) < 0) {
			return null;
		}
		close(parent);
		BigInteger middle = parent.start.add(parent.end).shiftRight(1);
		SimShard low = addShard(parent.start, middle, parent.id, null);
		SimShard high = addShard(middle.add(BigInteger.ONE), parent.end, parent.id, null);
		parent.children = List.of(low.id, high.id);
		return "split " + parent.id + " into " + low.id + " and " + high.id;
	}

	/**
	 * Merges two open shards with adjacent hash ranges, when there are such.
	 * @return a description, or {@code null} when none were adjacent
	 */
	public String mergeRandomShards() {
		List<SimShard> open = openShards();
		open.sort((a, b) -> a.start.compareTo(b.start));
		List<Integer> pairs = new ArrayList<>();
		for (int i = 0; i + 1 < open.size(); i++) {
			if (open.get(i).end.add(BigInteger.ONE).equals(open.get(i + 1).start)) {
				pairs.add(i);
			}
		}
		if (pairs.isEmpty()) {
			return null;
		}
		int index = pairs.get(this.random.nextInt(pairs.size()));
		SimShard first = open.get(index);
		SimShard second = open.get(index + 1);
		close(first);
		close(second);
		SimShard merged = addShard(first.start, second.end, first.id, second.id);
		first.children = List.of(merged.id);
		second.children = List.of(merged.id);
		return "merge " + first.id + " and " + second.id + " into " + merged.id;
	}

	private void close(SimShard shard) {
		shard.closed = true;
		shard.endingSequence = this.nextSequence;
	}

	/**
	 * The ids of the open shards, in the order they were created.
	 * @return shard ids
	 */
	public List<String> openShardIds() {
		return openShards().stream().map((shard) -> shard.id).toList();
	}

	private List<SimShard> openShards() {
		return new ArrayList<>(this.shards.values().stream().filter((shard) -> !shard.closed).toList());
	}

	/**
	 * The records of a shard, in order.
	 * @param shardId the shard
	 * @return the records
	 */
	public List<Record> records(String shardId) {
		return this.shards.get(shardId).records;
	}

	/**
	 * The parents of a shard.
	 * @param shardId the shard
	 * @return zero, one or two shard ids
	 */
	public List<String> parents(String shardId) {
		SimShard shard = this.shards.get(shardId);
		List<String> parents = new ArrayList<>();
		if (shard.parent != null) {
			parents.add(shard.parent);
		}
		if (shard.adjacentParent != null) {
			parents.add(shard.adjacentParent);
		}
		return parents;
	}

	/**
	 * Where the first LATEST iterator of a shard pointed.
	 * @param shardId the shard
	 * @return the index of the first record after it, or {@code null} when none was
	 * opened
	 */
	public Integer firstLatestIndex(String shardId) {
		return this.firstLatest.get(shardId);
	}

	public int shardCount() {
		return this.shards.size();
	}

	/**
	 * A client for one worker; its answers come on the worker's scheduler, so a crashed
	 * worker gets none.
	 * @param worker the worker's scheduler
	 * @return the client
	 */
	public KinesisAsyncClient client(Scheduler worker) {
		return new Client(worker);
	}

	public static BigInteger hash(String partitionKey) {
		try {
			byte[] digest = MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8));
			return new BigInteger(1, digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A record as stored, with its shard.
	 *
	 * @param shardId the shard
	 * @param record the record
	 */
	public record Stored(String shardId, Record record) {
	}

	private static final class SimShard {

		final String id;

		final BigInteger start;

		final BigInteger end;

		final String parent;

		final String adjacentParent;

		final BigInteger startingSequence;

		final List<Record> records = new ArrayList<>();

		final List<Long> arrivals = new ArrayList<>();

		boolean closed;

		BigInteger endingSequence;

		List<String> children = List.of();

		SimShard(String id, BigInteger start, BigInteger end, String parent, String adjacentParent,
				BigInteger startingSequence) {
			this.id = id;
			this.start = start;
			this.end = end;
			this.parent = parent;
			this.adjacentParent = adjacentParent;
			this.startingSequence = startingSequence;
		}

		boolean covers(BigInteger hash) {
			return hash.compareTo(this.start) >= 0 && hash.compareTo(this.end) <= 0;
		}

		Shard describe() {
			return Shard.builder()
				.shardId(this.id)
				.parentShardId(this.parent)
				.adjacentParentShardId(this.adjacentParent)
				.hashKeyRange(HashKeyRange.builder()
					.startingHashKey(this.start.toString())
					.endingHashKey(this.end.toString())
					.build())
				.sequenceNumberRange(SequenceNumberRange.builder()
					.startingSequenceNumber(this.startingSequence.toString())
					.endingSequenceNumber(this.closed ? this.endingSequence.toString() : null)
					.build())
				.build();
		}

		int indexAt(String sequence, boolean after) {
			BigInteger wanted = new BigInteger(sequence);
			for (int i = 0; i < this.records.size(); i++) {
				int compared = new BigInteger(this.records.get(i).sequenceNumber()).compareTo(wanted);
				if (compared > 0 || (compared == 0 && !after)) {
					return i;
				}
			}
			return this.records.size();
		}

	}

	private final class Client implements KinesisAsyncClient {

		private final Scheduler worker;

		Client(Scheduler worker) {
			this.worker = worker;
		}

		@Override
		public String serviceName() {
			return "kinesis";
		}

		@Override
		public void close() {
		}

		@Override
		public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(
				DescribeStreamSummaryRequest request) {
			// answered at once: the consumer waits for it when it starts
			return CompletableFuture.completedFuture(DescribeStreamSummaryResponse.builder()
				.streamDescriptionSummary(StreamDescriptionSummary.builder()
					.streamName("orders")
					.streamARN(STREAM_ARN)
					.streamStatus(StreamStatus.ACTIVE)
					.openShardCount(openShards().size())
					.maxRecordSizeInKiB(SimulatedKinesis.this.maxRecordSizeInKiB)
					.build())
				.build());
		}

		@Override
		public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
			return answer(() -> ListShardsResponse.builder()
				.shards(SimulatedKinesis.this.shards.values().stream().map(SimShard::describe).toList())
				.build());
		}

		@Override
		public CompletableFuture<GetShardIteratorResponse> getShardIterator(GetShardIteratorRequest request) {
			return answer(() -> {
				SimShard shard = SimulatedKinesis.this.shards.get(request.shardId());
				int index = startIndex(shard, request.shardIteratorTypeAsString(), request.startingSequenceNumber(),
						request.timestamp());
				SimulatedKinesis.this.trace.accept("iterator " + request.shardIteratorTypeAsString() + " of " + shard.id
						+ " at record " + index + " of " + shard.records.size());
				return GetShardIteratorResponse.builder().shardIterator(iterator(shard, index)).build();
			});
		}

		private int startIndex(SimShard shard, String type, String sequence, Instant timestamp) {
			return switch (ShardIteratorType.fromValue(type)) {
				case TRIM_HORIZON -> 0;
				case LATEST -> {
					SimulatedKinesis.this.firstLatest.putIfAbsent(shard.id, shard.records.size());
					yield shard.records.size();
				}
				case AT_SEQUENCE_NUMBER -> shard.indexAt(sequence, false);
				case AFTER_SEQUENCE_NUMBER -> shard.indexAt(sequence, true);
				case AT_TIMESTAMP -> indexAtTime(shard, timestamp);
				default -> throw new IllegalArgumentException(type);
			};
		}

		private int indexAtTime(SimShard shard, Instant timestamp) {
			for (int i = 0; i < shard.records.size(); i++) {
				if (!shard.records.get(i).approximateArrivalTimestamp().isBefore(timestamp)) {
					return i;
				}
			}
			return shard.records.size();
		}

		private String iterator(SimShard shard, int index) {
			return shard.id + "|" + index + "|" + SimulatedKinesis.this.clock.nanoTime();
		}

		@Override
		public CompletableFuture<GetRecordsResponse> getRecords(GetRecordsRequest request) {
			return answer(() -> {
				String[] parts = request.shardIterator().split("\\|");
				SimShard shard = SimulatedKinesis.this.shards.get(parts[0]);
				int index = Integer.parseInt(parts[1]);
				long created = Long.parseLong(parts[2]);
				long now = SimulatedKinesis.this.clock.nanoTime();
				if (now - created > ITERATOR_LIFETIME_NANOS) {
					throw ExpiredIteratorException.builder()
						.message("Iterator expired")
						.awsErrorDetails(AwsErrorDetails.builder().errorCode("ExpiredIteratorException").build())
						.build();
				}
				int limit = (request.limit() != null) ? request.limit() : 10_000;
				int end = Math.min(shard.records.size(), index + limit);
				List<Record> records = List.copyOf(shard.records.subList(index, end));
				boolean ended = shard.closed && end == shard.records.size();
				long behind = (end == shard.records.size()) ? 0
						: TimeUnit.NANOSECONDS.toMillis(now - shard.arrivals.get(end));
				GetRecordsResponse.Builder response = GetRecordsResponse.builder()
					.records(records)
					.millisBehindLatest(behind)
					.nextShardIterator(ended ? null : iterator(shard, end));
				if (ended) {
					response.childShards(childShards(shard));
				}
				return response.build();
			});
		}

		private List<ChildShard> childShards(SimShard shard) {
			return shard.children.stream()
				.map((child) -> ChildShard.builder()
					.shardId(child)
					.parentShards(parents(child))
					.hashKeyRange(SimulatedKinesis.this.shards.get(child).describe().hashKeyRange())
					.build())
				.toList();
		}

		@Override
		public CompletableFuture<DescribeStreamConsumerResponse> describeStreamConsumer(
				DescribeStreamConsumerRequest request) {
			// the application's stream consumer is registered and ACTIVE: answered at
			// once, as the consumer waits for it when it starts
			return CompletableFuture.completedFuture(DescribeStreamConsumerResponse.builder()
				.consumerDescription(ConsumerDescription.builder()
					.consumerName(request.consumerName())
					.consumerARN(request.streamARN() + "/consumer/" + request.consumerName())
					.consumerStatus(ConsumerStatus.ACTIVE)
					.build())
				.build());
		}

		@Override
		public CompletableFuture<Void> subscribeToShard(SubscribeToShardRequest request,
				SubscribeToShardResponseHandler handler) {
			return new Subscription(this, request, handler).start();
		}

		/**
		 * Answers after a random latency on the worker's scheduler: the result, a
		 * throttling error, or (a lost response) a client-side timeout.
		 */
		@Override
		public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
			CompletableFuture<PutRecordsResponse> answer = new CompletableFuture<>();
			Random random = SimulatedKinesis.this.random;
			long latency = (long) (random.nextDouble() * SimulatedKinesis.this.maxLatencyNanos);
			if (random.nextDouble() < SimulatedKinesis.this.connectionErrorRate) {
				this.worker.schedule(() -> answer.completeExceptionally(SdkClientException.builder()
					.message("Unable to execute HTTP request: Connection refused")
					.cause(new IOException("Connection refused"))
					.build()), latency);
				return answer;
			}
			boolean throttled = random.nextDouble() < SimulatedKinesis.this.throttleRate;
			boolean lost = random.nextDouble() < SimulatedKinesis.this.lostRate;
			this.worker.schedule(() -> {
				if (throttled) {
					answer.completeExceptionally(throttling());
					return;
				}
				List<PutRecordsResultEntry> results = new ArrayList<>();
				int failed = 0;
				for (PutRecordsRequestEntry entry : request.records()) {
					if (random.nextDouble() < SimulatedKinesis.this.entryFailureRate) {
						failed++;
						String code = random.nextBoolean() ? "ProvisionedThroughputExceededException"
								: "InternalFailure";
						results.add(PutRecordsResultEntry.builder().errorCode(code).errorMessage("simulated").build());
						continue;
					}
					BigInteger hash = (entry.explicitHashKey() != null) ? new BigInteger(entry.explicitHashKey())
							: hash(entry.partitionKey());
					Stored stored = put(entry.partitionKey(), hash, entry.data());
					results.add(PutRecordsResultEntry.builder()
						.shardId(stored.shardId())
						.sequenceNumber(stored.record().sequenceNumber())
						.build());
				}
				if (lost) {
					// stored, but the answer never comes: the client's timeout answers
					this.worker.schedule(() -> answer.completeExceptionally(ApiCallTimeoutException.builder()
						.message("Client execution did not complete before the specified timeout")
						.build()), Math.max(0, CLIENT_TIMEOUT_NANOS - latency));
					return;
				}
				answer.complete(PutRecordsResponse.builder().records(results).failedRecordCount(failed).build());
			}, latency);
			return answer;
		}

		private ProvisionedThroughputExceededException throttling() {
			return ProvisionedThroughputExceededException.builder()
				.message("Rate exceeded")
				.awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException").build())
				.build();
		}

		private <T> CompletableFuture<T> answer(Supplier<T> call) {
			CompletableFuture<T> answer = new CompletableFuture<>();
			Random random = SimulatedKinesis.this.random;
			long latency = (long) (random.nextDouble() * SimulatedKinesis.this.maxLatencyNanos);
			if (random.nextDouble() < SimulatedKinesis.this.lostRate) {
				this.worker.schedule(
						() -> answer.completeExceptionally(
								SdkClientException.create("Client execution did not complete before the timeout")),
						CLIENT_TIMEOUT_NANOS);
				return answer;
			}
			boolean throttled = random.nextDouble() < SimulatedKinesis.this.throttleRate;
			this.worker.schedule(() -> {
				if (throttled) {
					answer.completeExceptionally(throttling());
					return;
				}
				try {
					answer.complete(call.get());
				}
				catch (RuntimeException ex) {
					answer.completeExceptionally(ex);
				}
			}, latency);
			return answer;
		}

	}

	/**
	 * One SubscribeToShard subscription: after a latency it is refused (throttled) or
	 * opens; then, per event asked for, it pushes the records that arrived since its
	 * position (an empty event every 5 s when there are none), and at the end of a closed
	 * shard an event with its ChildShards and no continuation. It ends after 5 minutes,
	 * or earlier when a fault ends it, fails it or lets it go silent.
	 */
	private final class Subscription implements org.reactivestreams.Subscription {

		private static final long LIFETIME_NANOS = TimeUnit.MINUTES.toNanos(5);

		private static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(5);

		private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

		private final Client client;

		private final SubscribeToShardRequest request;

		private final SubscribeToShardResponseHandler handler;

		private final CompletableFuture<Void> done = new CompletableFuture<>();

		private org.reactivestreams.Subscriber<? super SubscribeToShardEventStream> subscriber;

		private SimShard shard;

		private int position;

		private long demand;

		private long openedAt;

		private long lastEventAt;

		private boolean sending;

		private boolean over;

		/** A fault drawn when it opens: 0 none, 1 ends early, 2 fails, 3 goes silent. */
		private int fault;

		private long faultAt;

		Subscription(Client client, SubscribeToShardRequest request, SubscribeToShardResponseHandler handler) {
			this.client = client;
			this.request = request;
			this.handler = handler;
		}

		CompletableFuture<Void> start() {
			Random random = SimulatedKinesis.this.random;
			long latency = (long) (random.nextDouble() * SimulatedKinesis.this.maxLatencyNanos);
			boolean throttled = random.nextDouble() < SimulatedKinesis.this.throttleRate;
			if (random.nextDouble() < SimulatedKinesis.this.lostRate * 3) {
				this.fault = 1 + random.nextInt(3);
				this.faultAt = (long) (random.nextDouble() * LIFETIME_NANOS);
			}
			this.client.worker.schedule(() -> {
				if (throttled) {
					fail(LimitExceededException.builder()
						.message("Rate exceeded for consumer and shard")
						.awsErrorDetails(AwsErrorDetails.builder().errorCode("LimitExceededException").build())
						.build());
					return;
				}
				open();
			}, latency);
			return this.done;
		}

		private void open() {
			StartingPosition start = this.request.startingPosition();
			this.shard = SimulatedKinesis.this.shards.get(this.request.shardId());
			this.position = this.client.startIndex(this.shard, start.typeAsString(), start.sequenceNumber(),
					start.timestamp());
			SimulatedKinesis.this.trace.accept("subscription " + start.typeAsString() + " to " + this.shard.id
					+ " at record " + this.position + " of " + this.shard.records.size());
			long now = SimulatedKinesis.this.clock.nanoTime();
			this.openedAt = now;
			this.lastEventAt = now;
			this.handler.responseReceived(SubscribeToShardResponse.builder().build());
			this.handler.onEventStream(SdkPublisher.adapt((subscriber) -> {
				this.subscriber = subscriber;
				subscriber.onSubscribe(this);
			}));
			this.client.worker.schedule(this::tick, CHECK_NANOS);
		}

		@Override
		public void request(long n) {
			if (this.over) {
				return;
			}
			this.demand += n;
			send();
		}

		@Override
		public void cancel() {
			this.over = true;
			this.done.complete(null);
		}

		/** Checks the subscription's clock: its end, its fault, a heartbeat due. */
		private void tick() {
			if (this.over) {
				return;
			}
			long age = SimulatedKinesis.this.clock.nanoTime() - this.openedAt;
			if (this.fault != 0 && age >= this.faultAt) {
				switch (this.fault) {
					case 1 -> end();
					case 2 -> fail(SdkClientException.create("simulated: the event stream broke"));
					default -> {
						// silent from now on: the consumer's own time-out must notice
						this.over = true;
					}
				}
				return;
			}
			if (age >= LIFETIME_NANOS) {
				end();
				return;
			}
			send();
			this.client.worker.schedule(this::tick, CHECK_NANOS);
		}

		/** Sends one event if one is asked for and there is something to say. */
		private void send() {
			if (this.over || this.sending || this.demand == 0 || this.subscriber == null) {
				return;
			}
			long now = SimulatedKinesis.this.clock.nanoTime();
			List<Record> records = this.shard.records;
			boolean atEnd = this.shard.closed && this.position >= records.size();
			boolean hasRecords = this.position < records.size();
			if (!atEnd && !hasRecords && now - this.lastEventAt < HEARTBEAT_NANOS) {
				return;
			}
			int end = Math.min(records.size(), this.position + 1 + SimulatedKinesis.this.random.nextInt(20));
			List<Record> batch = List.copyOf(records.subList(Math.min(this.position, end), end));
			boolean ended = this.shard.closed && end >= records.size();
			long behind = (end >= records.size()) ? 0
					: TimeUnit.NANOSECONDS.toMillis(now - this.shard.arrivals.get(end));
			SubscribeToShardEvent.Builder event = SubscribeToShardEvent.builder()
				.records(batch)
				.millisBehindLatest(behind)
				.continuationSequenceNumber(ended ? null : continuation(end));
			if (ended) {
				event.childShards(this.client.childShards(this.shard));
			}
			this.position = end;
			this.demand--;
			this.lastEventAt = now;
			this.sending = true;
			SubscribeToShardEvent built = event.build();
			long latency = (long) (SimulatedKinesis.this.random.nextDouble() * SimulatedKinesis.this.maxLatencyNanos);
			this.client.worker.schedule(() -> {
				this.sending = false;
				if (this.over) {
					return;
				}
				this.subscriber.onNext(built);
				if (ended) {
					end();
				}
				else {
					send();
				}
			}, latency);
		}

		/** Where a subscription goes on after the records sent up to {@code end}. */
		private String continuation(int end) {
			if (end > 0) {
				return this.shard.records.get(end - 1).sequenceNumber();
			}
			// nothing sent yet: just before the shard's first sequence number
			return this.shard.startingSequence.toString();
		}

		private void end() {
			this.over = true;
			if (this.subscriber != null) {
				this.subscriber.onComplete();
			}
			this.handler.complete();
			this.done.complete(null);
		}

		private void fail(Throwable error) {
			this.over = true;
			this.handler.exceptionOccurred(error);
			this.done.completeExceptionally(error);
		}

	}

}
