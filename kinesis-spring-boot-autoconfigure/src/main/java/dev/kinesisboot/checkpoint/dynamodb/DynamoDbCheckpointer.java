package dev.kinesisboot.checkpoint.dynamodb;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.kinesisboot.checkpoint.AbstractCheckpointer;
import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.LeaseLostException;
import dev.kinesisboot.checkpoint.WorkerBeat;
import dev.kinesisboot.metrics.KinesisMetrics;
import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Backoff;
import dev.kinesisboot.support.Futures;
import dev.kinesisboot.support.Scheduler;
import dev.kinesisboot.support.SystemScheduler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Keeps leases and checkpoints in a DynamoDB table, through the AWS SDK's asynchronous
 * client, so that consumers on several machines share them and progress survives
 * restarts.
 *
 * <h2>Table</h2> One table (default {@value #DEFAULT_TABLE_NAME}) for any number of
 * streams and groups, with partition key {@code stream_key} (string,
 * {@code applicationName:streamName}) and sort key {@code shard_id} (string). One item
 * per shard, with the attributes {@code owner} (absent when free), {@code lease_counter}
 * (number), {@code expires_at} (number, epoch milliseconds of the {@linkplain #clock()
 * checkpointer's clock}; absent when free) and {@code checkpoint}
 * ({@link Checkpoint#toText()}). The leases of a stream are read with one strongly
 * consistent Query on its partition: no scan, no secondary index. Items have no time to
 * live: a checkpoint stays however long the stream is idle.
 * <p>
 * The table is created only when asked ({@link Builder#createTableIfMissing(boolean)}, on
 * demand capacity, {@code PAY_PER_REQUEST}); otherwise a missing table fails every
 * operation with a message naming the table and that option. The check runs on first use;
 * call {@link #ensureTable()} at startup to fail early.
 *
 * <h2>Atomicity</h2> Every write is one UpdateItem with a ConditionExpression: a take
 * requires {@code owner} and {@code lease_counter} as the caller read them (or no item),
 * renewals, checkpoints and releases require {@code owner} to be this worker. A refused
 * condition ({@code ConditionalCheckFailedException}) makes a take or renewal return
 * {@code false} and a checkpoint fail with {@link LeaseLostException}. No transactions
 * are used.
 *
 * <h2>Failures</h2> Errors of the client (network, throttling after the SDK's retries)
 * fail the futures; bound each call with the client's {@code apiCallTimeout} so that an
 * unreachable endpoint fails well within the lease duration. Lease expiry compares times
 * of the workers' clocks: keep them in sync (NTP). Thread-safe. {@link #close()} does not
 * close the client, which belongs to the caller.
 */
public class DynamoDbCheckpointer extends AbstractCheckpointer {

	/** The table used unless another is named. */
	public static final String DEFAULT_TABLE_NAME = "kinesis-checkpoints";

	/** Partition key: {@code applicationName:streamName}. */
	public static final String STREAM_KEY = "stream_key";

	/** Sort key: the shard id. */
	public static final String SHARD_ID = "shard_id";

	/** The worker holding the lease; absent when free. */
	public static final String OWNER = "owner";

	/** Incremented by every take, renewal and release. */
	public static final String LEASE_COUNTER = "lease_counter";

	/** When the lease lapses, in epoch milliseconds; absent when free. */
	public static final String EXPIRES_AT = "expires_at";

	/** The checkpoint, as {@link Checkpoint#toText()}. */
	public static final String CHECKPOINT = "checkpoint";

	/** Heartbeat items: how many leases the worker holds. */
	public static final String LEASES = "leases";

	/** Heartbeat items: the worker's change counter. */
	public static final String CHANGES = "changes";

	/** Heartbeat items: how many heartbeats the worker wrote since the item was made. */
	public static final String WRITTEN = "written";

	/** The layout item: how many partition keys the leases of the stream spread over. */
	public static final String BUCKETS = "buckets";

	/**
	 * Partition keys a new stream and group spreads its leases over unless set: at 10,000
	 * shards each takes a few hundred writes per second, well within one partition's
	 * 1,000.
	 */
	public static final int DEFAULT_LEASE_BUCKETS = 16;

	private static final String WORKERS_SUFFIX = "#workers";

	private static final String LAYOUT_SUFFIX = "#layout";

	private static final String LAYOUT_SORT_KEY = "layout";

	private static final Logger logger = LoggerFactory.getLogger(DynamoDbCheckpointer.class);

	private static final Backoff TABLE_POLL = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));

	private static final Duration TABLE_ACTIVE_TIMEOUT = Duration.ofMinutes(5);

	private final DynamoDbAsyncClient client;

	private final String tableName;

	private final boolean createTableIfMissing;

	private final String streamKey;

	// null: a timer of its own during the wait for the table
	private final Scheduler scheduler;

	private final AtomicReference<CompletableFuture<Void>> tableReady = new AtomicReference<>();

	private final int newLeaseBuckets;

	// the layout of this stream and group, once read: how many buckets
	private final AtomicReference<CompletableFuture<Integer>> layout = new AtomicReference<>();

	private DynamoDbCheckpointer(Builder builder) {
		super(builder.settings);
		this.client = builder.client;
		this.tableName = builder.tableName;
		this.createTableIfMissing = builder.createTableIfMissing;
		this.scheduler = builder.scheduler;
		this.newLeaseBuckets = builder.leaseBuckets;
		this.streamKey = applicationName() + ":" + streamName();
		// until a consumer binds it: the process-wide default collector, as a standalone
		// checkpointer
		bindMetrics(KinesisMetrics.getMetricsCollector(), MetricLabels.stream(MetricLabels.STANDALONE_STREAM));
	}

	/**
	 * Starts building a checkpointer.
	 * @param settings the group, stream, worker id, lease duration and checkpoint mode
	 * @param client the DynamoDB client; not closed by the checkpointer
	 * @return a builder
	 */
	public static Builder builder(CheckpointerSettings settings, DynamoDbAsyncClient client) {
		return new Builder(settings, client);
	}

	/**
	 * The table holding the leases.
	 * @return the table name
	 */
	public String tableName() {
		return this.tableName;
	}

	/**
	 * The partition key value of this stream and group.
	 * @return {@code applicationName:streamName}
	 */
	public String streamKey() {
		return this.streamKey;
	}

	/**
	 * Checks that the table exists with the expected key, creating it when
	 * {@link Builder#createTableIfMissing(boolean)} is set, and waits until it is active.
	 * Runs once; after a failure the next operation checks again.
	 * @return completed when the table is usable; failed with
	 * {@link IllegalStateException} naming the table when it is missing or has another
	 * key
	 */
	public CompletableFuture<Void> ensureTable() {
		return once(this.tableReady, this::checkTable);
	}

	/**
	 * Runs a check once and keeps its result; after a failure the next caller runs it
	 * again.
	 */
	private static <T> CompletableFuture<T> once(AtomicReference<CompletableFuture<T>> result,
			Supplier<CompletableFuture<T>> check) {
		CompletableFuture<T> current = result.get();
		if (current != null && !current.isCompletedExceptionally()) {
			return current;
		}
		CompletableFuture<T> next = new CompletableFuture<>();
		if (!result.compareAndSet(current, next)) {
			return result.get();
		}
		Futures.call(check).whenComplete((value, error) -> {
			if (error != null) {
				next.completeExceptionally(AwsErrors.unwrap(error));
			}
			else {
				next.complete(value);
			}
		});
		return next;
	}

	private CompletableFuture<Void> checkTable() {
		return this.client.describeTable((request) -> request.tableName(this.tableName))
			.thenCompose((response) -> checkKeyAndAwait(response.table()))
			.exceptionallyCompose((error) -> {
				if (!(AwsErrors.unwrap(error) instanceof ResourceNotFoundException)) {
					return CompletableFuture.failedFuture(AwsErrors.unwrap(error));
				}
				if (!this.createTableIfMissing) {
					return CompletableFuture.failedFuture(new IllegalStateException("DynamoDB table '" + this.tableName
							+ "' for the Kinesis leases and checkpoints does not exist; create it with partition key '"
							+ STREAM_KEY + "' (string) and sort key '" + SHARD_ID
							+ "' (string), or let the checkpointer create it with createTableIfMissing(true)",
							AwsErrors.unwrap(error)));
				}
				return createTable();
			});
	}

	private CompletableFuture<Void> createTable() {
		return this.client.createTable((request) -> request.tableName(this.tableName)
			.billingMode(BillingMode.PAY_PER_REQUEST)
			.keySchema(KeySchemaElement.builder().attributeName(STREAM_KEY).keyType(KeyType.HASH).build(),
					KeySchemaElement.builder().attributeName(SHARD_ID).keyType(KeyType.RANGE).build())
			.attributeDefinitions(
					AttributeDefinition.builder()
						.attributeName(STREAM_KEY)
						.attributeType(ScalarAttributeType.S)
						.build(),
					AttributeDefinition.builder().attributeName(SHARD_ID).attributeType(ScalarAttributeType.S).build()))
			.thenApply((response) -> (Void) null)
			.exceptionallyCompose((error) -> (AwsErrors.unwrap(error) instanceof ResourceInUseException)
					// another worker created it meanwhile
					? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(AwsErrors.unwrap(error)))
			.thenCompose((ignored) -> awaitActive());
	}

	private CompletableFuture<Void> checkKeyAndAwait(TableDescription table) {
		Map<String, KeyType> key = new HashMap<>();
		table.keySchema().forEach((element) -> key.put(element.attributeName(), element.keyType()));
		if (key.size() != 2 || key.get(STREAM_KEY) != KeyType.HASH || key.get(SHARD_ID) != KeyType.RANGE) {
			return CompletableFuture.failedFuture(new IllegalStateException("DynamoDB table '" + this.tableName
					+ "' has the key " + table.keySchema() + ", but the Kinesis checkpointer needs partition key '"
					+ STREAM_KEY + "' and sort key '" + SHARD_ID + "'; name another table"));
		}
		if (table.tableStatus() == TableStatus.ACTIVE || table.tableStatus() == TableStatus.UPDATING) {
			return CompletableFuture.completedFuture(null);
		}
		return awaitActive();
	}

	private CompletableFuture<Void> awaitActive() {
		return (this.scheduler != null) ? awaitActive(this.scheduler)
				: SystemScheduler.during("kinesis-checkpoint-table-wait", this::awaitActive);
	}

	private CompletableFuture<Void> awaitActive(Scheduler timer) {
		return Futures
			.poll(timer,
					() -> this.client.describeTable((request) -> request.tableName(this.tableName))
						.thenApply((response) -> response.table().tableStatus())
						.exceptionallyCompose((error) -> (AwsErrors.unwrap(error) instanceof ResourceNotFoundException)
								// not visible yet right after creation
								? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(error)),
					(status) -> status == TableStatus.ACTIVE, TABLE_POLL, TABLE_ACTIVE_TIMEOUT.toNanos(),
					(status) -> new IllegalStateException("DynamoDB table '" + this.tableName + "' not ACTIVE after "
							+ TABLE_ACTIVE_TIMEOUT + " (status " + status + ")"))
			.thenApply((status) -> null);
	}

	@Override
	public CompletableFuture<List<Lease>> listLeases() {
		return withBuckets((buckets) -> {
			List<CompletableFuture<List<Lease>>> queries = new ArrayList<>();
			for (int bucket = 0; bucket < buckets; bucket++) {
				queries.add(query(bucketKey(bucket, buckets), null, new ArrayList<>(), DynamoDbCheckpointer::toLease));
			}
			return CompletableFuture.allOf(queries.toArray(CompletableFuture[]::new)).thenApply((all) -> {
				List<Lease> leases = new ArrayList<>();
				queries.forEach((query) -> leases.addAll(query.join()));
				leases.sort(Comparator.comparing(Lease::shardId));
				return leases;
			});
		});
	}

	/** Every item under a partition key, page by page. */
	private <T> CompletableFuture<List<T>> query(String partitionKey, Map<String, AttributeValue> startKey,
			List<T> items, Function<Map<String, AttributeValue>, T> mapper) {
		QueryRequest.Builder request = queryOf(partitionKey);
		if (startKey != null) {
			request.exclusiveStartKey(startKey);
		}
		return this.client.query(request.build()).thenCompose((response) -> {
			response.items().forEach((item) -> items.add(mapper.apply(item)));
			if (response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()) {
				return query(partitionKey, response.lastEvaluatedKey(), items, mapper);
			}
			return CompletableFuture.completedFuture(items);
		});
	}

	/** A strongly consistent Query of every item under a partition key. */
	private QueryRequest.Builder queryOf(String partitionKey) {
		return QueryRequest.builder()
			.tableName(this.tableName)
			.keyConditionExpression("#sk = :sk")
			.expressionAttributeNames(Map.of("#sk", STREAM_KEY))
			.expressionAttributeValues(Map.of(":sk", AttributeValue.fromS(partitionKey)))
			.consistentRead(true);
	}

	@Override
	public CompletableFuture<List<WorkerBeat>> beat(int leases, long changes) {
		String partitionKey = this.streamKey + WORKERS_SUFFIX;
		UpdateItemRequest write = UpdateItemRequest.builder()
			.tableName(this.tableName)
			.key(itemKey(partitionKey, workerId()))
			.updateExpression("SET #leases = :leases, #changes = :changes, #exp = :exp ADD #written :one")
			.expressionAttributeNames(
					Map.of("#leases", LEASES, "#changes", CHANGES, "#exp", EXPIRES_AT, "#written", WRITTEN))
			.expressionAttributeValues(Map.of(":leases", number(leases), ":changes", number(changes), ":exp",
					number(newExpiry().toEpochMilli()), ":one", number(1)))
			.build();
		return whenReady(() -> this.client.updateItem(write))
			.thenCompose((written) -> query(partitionKey, null, new ArrayList<>(), DynamoDbCheckpointer::toBeat));
	}

	@Override
	public CompletableFuture<Void> endBeat() {
		return whenReady(() -> this.client.deleteItem((request) -> request.tableName(this.tableName)
			.key(itemKey(this.streamKey + WORKERS_SUFFIX, workerId())))).thenAccept((deleted) -> {
			});
	}

	/**
	 * How many partition keys this stream and group spreads its leases over, as the
	 * layout item says. Without one: a single key (the layout of earlier versions) when
	 * leases already exist under the stream key, else the configured number, written as
	 * the layout item so that every worker uses the same.
	 * @return the number of buckets
	 */
	public CompletableFuture<Integer> leaseBuckets() {
		return once(this.layout, () -> whenReady(this::readOrWriteLayout));
	}

	private CompletableFuture<Integer> readOrWriteLayout() {
		return readLayout().thenCompose((stored) -> {
			if (stored != null) {
				return CompletableFuture.completedFuture(stored);
			}
			return this.client.query(queryOf(this.streamKey).limit(1).build()).thenCompose((response) -> {
				boolean legacy = response.count() > 0;
				int buckets = legacy ? 1 : this.newLeaseBuckets;
				if (legacy && this.newLeaseBuckets > 1) {
					logger.info("The leases of '{}' in table '{}' were written by an earlier version under one "
							+ "partition key; they stay there (all writes of the stream on one partition). To "
							+ "spread them over {} keys, start the group afresh under another name or delete its "
							+ "items once every worker stopped", this.streamKey, this.tableName, this.newLeaseBuckets);
				}
				return this.client
					.putItem((request) -> request.tableName(this.tableName)
						.item(layoutItem(buckets))
						.conditionExpression("attribute_not_exists(#sk)")
						.expressionAttributeNames(Map.of("#sk", STREAM_KEY)))
					.thenApply((put) -> buckets)
					.exceptionallyCompose(
							(error) -> (AwsErrors.unwrap(error) instanceof ConditionalCheckFailedException)
									// another worker wrote it first: use its layout
									? readLayout() : CompletableFuture.failedFuture(AwsErrors.unwrap(error)));
			});
		});
	}

	private Map<String, AttributeValue> layoutItem(int buckets) {
		Map<String, AttributeValue> item = new HashMap<>(itemKey(this.streamKey + LAYOUT_SUFFIX, LAYOUT_SORT_KEY));
		item.put(BUCKETS, number(buckets));
		return item;
	}

	private CompletableFuture<Integer> readLayout() {
		return this.client
			.getItem((request) -> request.tableName(this.tableName)
				.key(itemKey(this.streamKey + LAYOUT_SUFFIX, LAYOUT_SORT_KEY))
				.consistentRead(true))
			.thenApply((response) -> (response.hasItem() && response.item().containsKey(BUCKETS))
					? Integer.valueOf(response.item().get(BUCKETS).n()) : null);
	}

	/**
	 * The partition key of a bucket.
	 * @param bucket the bucket, from {@code 0}
	 * @param buckets how many there are
	 * @return the stream key itself when there is one bucket, else
	 * {@code stream_key#bucket}
	 */
	String bucketKey(int bucket, int buckets) {
		return (buckets == 1) ? this.streamKey : this.streamKey + "#" + bucket;
	}

	/**
	 * The bucket of a shard: its id's hash code modulo the number of buckets.
	 * @param shardId the shard
	 * @param buckets how many there are
	 * @return the bucket, from {@code 0}
	 */
	public static int bucketOf(String shardId, int buckets) {
		return Math.floorMod(shardId.hashCode(), buckets);
	}

	private <T> CompletableFuture<T> withBuckets(Function<Integer, CompletableFuture<T>> operation) {
		return leaseBuckets().thenCompose((buckets) -> Futures.call(() -> operation.apply(buckets)));
	}

	@Override
	protected CompletableFuture<Optional<Checkpoint>> readCheckpoint(String shardId) {
		return withBuckets((buckets) -> this.client.getItem((request) -> request.tableName(this.tableName)
			.key(key(shardId, buckets))
			.consistentRead(true)
			.projectionExpression("#cp")
			.expressionAttributeNames(Map.of("#cp", CHECKPOINT)))).thenApply((response) -> {
				AttributeValue checkpoint = response.hasItem() ? response.item().get(CHECKPOINT) : null;
				return Optional.ofNullable(checkpoint).map((value) -> Checkpoint.fromText(value.s()));
			});
	}

	@Override
	public CompletableFuture<Boolean> takeLease(String shardId, Lease expected) {
		Map<String, String> names = new HashMap<>();
		names.put("#owner", OWNER);
		names.put("#exp", EXPIRES_AT);
		names.put("#counter", LEASE_COUNTER);
		Map<String, AttributeValue> values = new HashMap<>();
		values.put(":me", AttributeValue.fromS(workerId()));
		values.put(":exp", number(newExpiry().toEpochMilli()));
		values.put(":one", number(1));
		UpdateItemRequest.Builder request = UpdateItemRequest.builder();
		if (expected == null) {
			names.put("#shard", SHARD_ID);
			request.updateExpression("SET #owner = :me, #exp = :exp, #counter = :one")
				.conditionExpression("attribute_not_exists(#shard)");
		}
		else {
			values.put(":counter", number(expected.counter()));
			String ownerCondition;
			if (expected.owner() != null) {
				values.put(":owner", AttributeValue.fromS(expected.owner()));
				ownerCondition = "#owner = :owner";
			}
			else {
				ownerCondition = "attribute_not_exists(#owner)";
			}
			request.updateExpression("SET #owner = :me, #exp = :exp, #counter = #counter + :one")
				.conditionExpression("#counter = :counter AND " + ownerCondition);
		}
		request.expressionAttributeNames(names).expressionAttributeValues(values);
		return conditional(shardId, request);
	}

	@Override
	public CompletableFuture<Boolean> renewLease(String shardId) {
		return conditional(shardId,
				UpdateItemRequest.builder()
					.updateExpression("SET #exp = :exp, #counter = #counter + :one")
					.conditionExpression("#owner = :me")
					.expressionAttributeNames(Map.of("#owner", OWNER, "#exp", EXPIRES_AT, "#counter", LEASE_COUNTER))
					.expressionAttributeValues(Map.of(":me", AttributeValue.fromS(workerId()), ":exp",
							number(newExpiry().toEpochMilli()), ":one", number(1))));
	}

	@Override
	protected CompletableFuture<Void> writeCheckpoint(String shardId, Checkpoint checkpoint) {
		return write(shardId, checkpoint, false);
	}

	@Override
	protected CompletableFuture<Void> writeReopen(String shardId, Checkpoint checkpoint) {
		return write(shardId, checkpoint, true);
	}

	private CompletableFuture<Void> write(String shardId, Checkpoint checkpoint, boolean overEnd) {
		Map<String, AttributeValue> values = new HashMap<>();
		values.put(":me", AttributeValue.fromS(workerId()));
		values.put(":cp", AttributeValue.fromS(checkpoint.toText()));
		String condition = "#owner = :me";
		if (!overEnd && !checkpoint.isShardEnd()) {
			// an ended shard stays ended, whatever write arrives late
			values.put(":end", AttributeValue.fromS(Checkpoint.SHARD_END.toText()));
			condition += " AND (attribute_not_exists(#cp) OR #cp <> :end)";
		}
		return conditional(shardId,
				UpdateItemRequest.builder()
					.updateExpression("SET #cp = :cp")
					.conditionExpression(condition)
					.expressionAttributeNames(Map.of("#owner", OWNER, "#cp", CHECKPOINT))
					.expressionAttributeValues(values))
			.thenCompose((written) -> written ? CompletableFuture.completedFuture(null) : refused(shardId, checkpoint));
	}

	/** After a refused checkpoint: a no-op on a shard this worker ended, else a loss. */
	private CompletableFuture<Void> refused(String shardId, Checkpoint checkpoint) {
		return withBuckets((buckets) -> this.client.getItem((request) -> request.tableName(this.tableName)
			.key(key(shardId, buckets))
			.consistentRead(true)
			.projectionExpression("#owner, #cp")
			.expressionAttributeNames(Map.of("#owner", OWNER, "#cp", CHECKPOINT)))).thenAccept((response) -> {
				Map<String, AttributeValue> item = response.hasItem() ? response.item() : Map.of();
				AttributeValue owner = item.get(OWNER);
				AttributeValue stored = item.get(CHECKPOINT);
				boolean mine = owner != null && workerId().equals(owner.s());
				if (mine && stored != null && Checkpoint.SHARD_END.toText().equals(stored.s())) {
					return;
				}
				throw new LeaseLostException(shardId,
						"Worker " + workerId() + " does not hold the lease of shard " + shardId + " (table '"
								+ this.tableName + "', " + STREAM_KEY + " '" + this.streamKey + "'); checkpoint "
								+ checkpoint + " refused");
			});
	}

	@Override
	protected CompletableFuture<Void> writeRelease(String shardId) {
		return conditional(shardId,
				UpdateItemRequest.builder()
					.updateExpression("REMOVE #owner, #exp SET #counter = #counter + :one")
					.conditionExpression("#owner = :me")
					.expressionAttributeNames(Map.of("#owner", OWNER, "#exp", EXPIRES_AT, "#counter", LEASE_COUNTER))
					.expressionAttributeValues(Map.of(":me", AttributeValue.fromS(workerId()), ":one", number(1))))
			.thenAccept((released) -> {
			});
	}

	/**
	 * Runs a conditional update.
	 * @return {@code true} when written, {@code false} when the condition did not hold
	 */
	private CompletableFuture<Boolean> conditional(String shardId, UpdateItemRequest.Builder request) {
		return withBuckets((buckets) -> this.client
			.updateItem(request.tableName(this.tableName).key(key(shardId, buckets)).build()))
			.handle((response, error) -> {
				if (error == null) {
					return true;
				}
				Throwable cause = AwsErrors.unwrap(error);
				if (cause instanceof ConditionalCheckFailedException) {
					return false;
				}
				throw (cause instanceof RuntimeException runtime) ? runtime : new IllegalStateException(cause);
			});
	}

	private <T> CompletableFuture<T> whenReady(Supplier<CompletableFuture<T>> operation) {
		return ensureTable().thenCompose((ignored) -> Futures.call(operation));
	}

	private Map<String, AttributeValue> key(String shardId, int buckets) {
		return itemKey(bucketKey(bucketOf(shardId, buckets), buckets), shardId);
	}

	private static Map<String, AttributeValue> itemKey(String partitionKey, String sortKey) {
		return Map.of(STREAM_KEY, AttributeValue.fromS(partitionKey), SHARD_ID, AttributeValue.fromS(sortKey));
	}

	private static WorkerBeat toBeat(Map<String, AttributeValue> item) {
		return new WorkerBeat(item.get(SHARD_ID).s(), Integer.parseInt(item.get(LEASES).n()),
				Long.parseLong(item.get(CHANGES).n()), Instant.ofEpochMilli(Long.parseLong(item.get(EXPIRES_AT).n())),
				Long.parseLong(item.get(WRITTEN).n()));
	}

	private static Lease toLease(Map<String, AttributeValue> item) {
		AttributeValue owner = item.get(OWNER);
		AttributeValue counter = item.get(LEASE_COUNTER);
		AttributeValue expiresAt = item.get(EXPIRES_AT);
		AttributeValue checkpoint = item.get(CHECKPOINT);
		return new Lease(item.get(SHARD_ID).s(), (owner != null) ? owner.s() : null,
				(counter != null) ? Long.parseLong(counter.n()) : 0,
				(expiresAt != null) ? Instant.ofEpochMilli(Long.parseLong(expiresAt.n())) : null,
				(checkpoint != null) ? Checkpoint.fromText(checkpoint.s()) : null);
	}

	private static AttributeValue number(long value) {
		return AttributeValue.fromN(Long.toString(value));
	}

	@Override
	public String toString() {
		return "DynamoDbCheckpointer[" + this.tableName + "/" + this.streamKey + ", worker " + workerId() + "]";
	}

	/**
	 * Builds a {@link DynamoDbCheckpointer}. Not thread-safe.
	 */
	public static final class Builder {

		private final CheckpointerSettings settings;

		private final DynamoDbAsyncClient client;

		private String tableName = DEFAULT_TABLE_NAME;

		private boolean createTableIfMissing;

		private Scheduler scheduler;

		private int leaseBuckets = DEFAULT_LEASE_BUCKETS;

		private Builder(CheckpointerSettings settings, DynamoDbAsyncClient client) {
			this.settings = Objects.requireNonNull(settings, "settings");
			this.client = Objects.requireNonNull(client, "client");
		}

		/**
		 * The table (default {@value DynamoDbCheckpointer#DEFAULT_TABLE_NAME}).
		 * @param tableName the table name
		 * @return this builder
		 */
		public Builder tableName(String tableName) {
			Objects.requireNonNull(tableName, "tableName");
			if (tableName.isBlank()) {
				throw new IllegalArgumentException("tableName must not be blank");
			}
			this.tableName = tableName;
			return this;
		}

		/**
		 * Whether to create the table when it does not exist (default {@code false}). It
		 * is created with on demand capacity ({@code PAY_PER_REQUEST}), so it costs
		 * nothing while idle.
		 * @param createTableIfMissing {@code true} to create a missing table
		 * @return this builder
		 */
		public Builder createTableIfMissing(boolean createTableIfMissing) {
			this.createTableIfMissing = createTableIfMissing;
			return this;
		}

		/**
		 * The timer between asks while waiting for a new table to become ACTIVE (default:
		 * a timer thread of the checkpointer's own, only during that wait).
		 * @param scheduler the scheduler
		 * @return this builder
		 */
		public Builder scheduler(Scheduler scheduler) {
			this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
			return this;
		}

		/**
		 * How many partition keys a new stream and group spreads its leases over (default
		 * {@value DynamoDbCheckpointer#DEFAULT_LEASE_BUCKETS}). Read only when the group
		 * starts for the first time: the first worker writes it into the layout item and
		 * every worker follows the layout item from then on.
		 * @param leaseBuckets from 1 (every lease under the stream key, as earlier
		 * versions) to 1,000
		 * @return this builder
		 */
		public Builder leaseBuckets(int leaseBuckets) {
			if (leaseBuckets < 1 || leaseBuckets > 1000) {
				throw new IllegalArgumentException("leaseBuckets must be between 1 and 1000, not " + leaseBuckets);
			}
			this.leaseBuckets = leaseBuckets;
			return this;
		}

		/**
		 * Builds the checkpointer. It checks the table on first use (or
		 * {@link DynamoDbCheckpointer#ensureTable()}).
		 * @return the checkpointer
		 */
		public DynamoDbCheckpointer build() {
			return new DynamoDbCheckpointer(this);
		}

	}

}
