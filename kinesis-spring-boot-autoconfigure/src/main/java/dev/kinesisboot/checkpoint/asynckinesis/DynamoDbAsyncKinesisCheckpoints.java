package dev.kinesisboot.checkpoint.asynckinesis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * The checkpoints of async-kinesis's {@code DynamoDBCheckPointer}: a table
 * {@code kinesis-checkpoints-<name>} with partition key {@code shard_id} and one item per
 * shard holding {@code ref}, {@code ts} (Unix seconds) and {@code sequence}, each
 * {@code NULL} when unset. The items carry no stream name: a name read one stream. Read
 * with a consistent Scan. Thread-safe.
 */
public final class DynamoDbAsyncKinesisCheckpoints implements AsyncKinesisCheckpointSource {

	private final DynamoDbAsyncClient client;

	private final String tableName;

	/**
	 * A source.
	 * @param client the DynamoDB client (the endpoint async-kinesis used)
	 * @param tableName the table, usually {@link #tableName(String)}
	 */
	public DynamoDbAsyncKinesisCheckpoints(DynamoDbAsyncClient client, String tableName) {
		this.client = Objects.requireNonNull(client, "client");
		this.tableName = Objects.requireNonNull(tableName, "tableName");
	}

	/**
	 * The table async-kinesis creates for a checkpointer name.
	 * @param name the async-kinesis checkpointer's name
	 * @return {@code kinesis-checkpoints-<name>}
	 */
	public static String tableName(String name) {
		return "kinesis-checkpoints-" + name;
	}

	@Override
	public CompletableFuture<List<AsyncKinesisCheckpoint>> read() {
		return scan(null, new ArrayList<>()).thenApply((checkpoints) -> {
			checkpoints.sort(Comparator.comparing(AsyncKinesisCheckpoint::shardId));
			return checkpoints;
		});
	}

	private CompletableFuture<List<AsyncKinesisCheckpoint>> scan(Map<String, AttributeValue> from,
			List<AsyncKinesisCheckpoint> found) {
		ScanRequest request = ScanRequest.builder()
			.tableName(this.tableName)
			.consistentRead(true)
			.exclusiveStartKey(from)
			.build();
		return this.client.scan(request).handle((response, error) -> {
			if (error != null) {
				Throwable cause = (error.getCause() != null) ? error.getCause() : error;
				if (cause instanceof ResourceNotFoundException) {
					throw new IllegalStateException(
							"DynamoDB table '" + this.tableName
									+ "' not found: there are no async-kinesis checkpoints to import there; check the "
									+ "checkpointer name (the table is kinesis-checkpoints-<name>) and the endpoint",
							cause);
				}
				throw new IllegalStateException(
						"Could not read DynamoDB table '" + this.tableName + "': " + cause.getMessage(), cause);
			}
			return response;
		}).thenCompose((response) -> {
			response.items().forEach((item) -> found.add(parse(item)));
			return (response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty())
					? scan(response.lastEvaluatedKey(), found) : CompletableFuture.completedFuture(found);
		});
	}

	@Override
	public String describe() {
		return "DynamoDB table " + this.tableName;
	}

	/**
	 * Reads one item.
	 * @param item the item, as Scan returns it
	 * @return the checkpoint
	 * @throws IllegalArgumentException when the item has no {@code shard_id}
	 */
	public static AsyncKinesisCheckpoint parse(Map<String, AttributeValue> item) {
		String shardId = string(item.get("shard_id"));
		if (shardId == null) {
			throw new IllegalArgumentException(
					"DynamoDB item " + item + " has no shard_id: not an async-kinesis checkpoint");
		}
		AttributeValue ts = item.get("ts");
		Instant heartbeat = (ts == null || ts.n() == null) ? null : Instant.ofEpochSecond(Long.parseLong(ts.n()));
		return new AsyncKinesisCheckpoint(shardId, string(item.get("sequence")), string(item.get("ref")), heartbeat);
	}

	private static String string(AttributeValue value) {
		return (value == null) ? null : value.s();
	}

}
