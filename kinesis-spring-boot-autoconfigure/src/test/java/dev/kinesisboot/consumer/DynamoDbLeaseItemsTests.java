package dev.kinesisboot.consumer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.WorkerBeat;
import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds {@link DynamoDbLeaseItems} to what the real {@link DynamoDbCheckpointer} reads
 * and writes, through a client that records its requests, so the load model's item sizes
 * are those of the checkpointer's items.
 */
class DynamoDbLeaseItemsTests {

	private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

	private final RecordingClient client = new RecordingClient();

	private final DynamoDbCheckpointer checkpointer = DynamoDbCheckpointer
		.builder(new CheckpointerSettings("orders-service", "orders", "ip-10-0-3-17-3f9a2c1b", Duration.ofSeconds(10),
				Clock.fixed(NOW, ZoneOffset.UTC)), this.client)
		.build();

	private final String streamKey = DynamoDbLeaseItems.streamKey("orders-service", "orders");

	@Test
	void theModelsPartitionKeyIsTheCheckpointers() {
		assertThat(this.streamKey).isEqualTo(this.checkpointer.streamKey());
	}

	@Test
	void theCheckpointerReadsTheModelsItemsBackAsTheLeasesTheyWereMadeOf() {
		List<Lease> leases = List.of(
				new Lease("shardId-000000000000", "ip-10-0-3-17-3f9a2c1b", 42, NOW.plusSeconds(10),
						Checkpoint.at("49600000000000000000000000000000000000000000000000000123")),
				new Lease("shardId-000000000001", null, 7, null, new Checkpoint("4960000000000000000000000000001", 3)),
				new Lease("shardId-000000000002", "ip-10-0-3-18-00000001", 1, NOW.plusSeconds(5),
						Checkpoint.atTimestamp(NOW)),
				new Lease("shardId-000000000003", "ip-10-0-3-18-00000001", 1, NOW.plusSeconds(5), null));
		leases.forEach((lease) -> this.client.items.add(DynamoDbLeaseItems.item(this.streamKey, lease)));

		assertThat(this.checkpointer.listLeases().join()).isEqualTo(leases);
	}

	@Test
	void everyAttributeTheCheckpointerWritesIsOneTheModelSizes() {
		Lease read = new Lease("shardId-000000000001", "ip-10-0-3-18-00000001", 3, NOW, null);
		this.checkpointer.takeLease("shardId-000000000000", null).join();
		this.checkpointer.takeLease("shardId-000000000001", read).join();
		this.checkpointer.renewLease("shardId-000000000000").join();
		this.checkpointer
			.checkpoint("shardId-000000000000",
					Checkpoint.at("49600000000000000000000000000000000000000000000000000123"))
			.join();
		this.checkpointer.releaseLease("shardId-000000000000").join();

		Lease held = new Lease("shardId-000000000000", "ip-10-0-3-17-3f9a2c1b", 2, NOW.plusSeconds(10),
				Checkpoint.at("49600000000000000000000000000000000000000000000000000123"));
		Map<String, AttributeValue> item = DynamoDbLeaseItems.item(this.streamKey, held);
		assertThat(this.client.updates).hasSize(5);
		for (UpdateItemRequest update : this.client.updates) {
			assertThat(update.key().keySet()).allMatch(item::containsKey);
			String shardId = update.key().get(DynamoDbCheckpointer.SHARD_ID).s();
			assertThat(update.key().get(DynamoDbCheckpointer.STREAM_KEY).s())
				.isEqualTo(DynamoDbLeaseItems.leaseKey(this.streamKey, shardId));
			assertThat(update.expressionAttributeNames().values()).allMatch(item::containsKey);
		}
		// the values the model puts in those attributes are the ones written
		assertThat(this.client.updates.get(2).expressionAttributeValues().get(":me"))
			.isEqualTo(item.get(DynamoDbCheckpointer.OWNER));
		assertThat(this.client.updates.get(2).expressionAttributeValues().get(":exp"))
			.isEqualTo(item.get(DynamoDbCheckpointer.EXPIRES_AT));
		assertThat(this.client.updates.get(3).expressionAttributeValues().get(":cp"))
			.isEqualTo(item.get(DynamoDbCheckpointer.CHECKPOINT));
	}

	@Test
	void theHeartbeatTheCheckpointerWritesIsTheOneTheModelSizes() {
		WorkerBeat beat = new WorkerBeat("ip-10-0-3-17-3f9a2c1b", 12, 3, NOW.plusSeconds(10), 1);
		this.client.items.add(DynamoDbLeaseItems.beatItem(this.streamKey, beat));
		assertThat(this.checkpointer.beat(12, 3).join()).containsExactly(beat);

		Map<String, AttributeValue> item = DynamoDbLeaseItems.beatItem(this.streamKey, beat);
		UpdateItemRequest update = this.client.updates.get(0);
		assertThat(update.key())
			.containsAllEntriesOf(Map.of(DynamoDbCheckpointer.STREAM_KEY, item.get(DynamoDbCheckpointer.STREAM_KEY),
					DynamoDbCheckpointer.SHARD_ID, item.get(DynamoDbCheckpointer.SHARD_ID)));
		assertThat(update.expressionAttributeNames().values()).allMatch(item::containsKey);
		assertThat(update.expressionAttributeValues().get(":leases")).isEqualTo(item.get(DynamoDbCheckpointer.LEASES));
		assertThat(update.expressionAttributeValues().get(":exp")).isEqualTo(item.get(DynamoDbCheckpointer.EXPIRES_AT));
	}

	@Test
	void sizesFollowDynamoDbsRulesForStringsAndNumbers() {
		// 13 digits, 5 trailing zeros trimmed: 8 significant digits, 4 bytes + 1
		assertThat(DynamoDbLeaseItems.numberSize("1767225600000")).isEqualTo(5);
		assertThat(DynamoDbLeaseItems.numberSize("1767225610000")).isEqualTo(6);
		assertThat(DynamoDbLeaseItems.numberSize("12345")).isEqualTo(4);
		assertThat(DynamoDbLeaseItems.numberSize("1")).isEqualTo(2);
		Lease lease = new Lease("shardId-000000000000", "ip-10-0-3-17-3f9a2c1b", 42,
				Instant.ofEpochMilli(1767225610000L),
				Checkpoint.at("49600000000000000000000000000000000000000000000000000123"));
		int expected = ("stream_key".length() + "orders-service:orders".length())
				+ ("shard_id".length() + "shardId-000000000000".length())
				+ ("owner".length() + "ip-10-0-3-17-3f9a2c1b".length()) + ("lease_counter".length() + 2)
				+ ("expires_at".length() + 6) + ("checkpoint".length() + 56);
		assertThat(DynamoDbLeaseItems.size(this.streamKey, lease)).isEqualTo(expected)
			.isEqualTo(DynamoDbLeaseItems.size(DynamoDbLeaseItems.item(this.streamKey, lease)))
			.isEqualTo(182);
		Lease free = new Lease("shardId-000000000001", null, 7, null, null);
		assertThat(DynamoDbLeaseItems.size(this.streamKey, free))
			.isEqualTo(DynamoDbLeaseItems.size(DynamoDbLeaseItems.item(this.streamKey, free)));
	}

	@Test
	void aQueryRoundsUpTheSumOfItsItemsOncePerPageOfAtMostOneMegabyte() {
		List<Integer> sizes = new ArrayList<>();
		for (int i = 0; i < 10_000; i++) {
			sizes.add(189);
		}
		List<List<Integer>> pages = DynamoDbLeaseItems.queryPages(sizes);

		assertThat(pages).hasSize(2);
		assertThat(pages.get(0)).hasSize(1024 * 1024 / 189);
		assertThat(DynamoDbLeaseItems.readUnits(189L * pages.get(0).size())).isEqualTo(256);
		assertThat(DynamoDbLeaseItems.readUnits(189)).isEqualTo(1);
		assertThat(DynamoDbLeaseItems.readUnits(0)).isEqualTo(1);
		assertThat(DynamoDbLeaseItems.writeUnits(189, 190)).isEqualTo(1);
		assertThat(DynamoDbLeaseItems.writeUnits(1000, 1025)).isEqualTo(2);
	}

	/**
	 * Answers the checkpointer's table check and Query with the given items, and records
	 * its updates.
	 */
	private static final class RecordingClient implements DynamoDbAsyncClient {

		final List<Map<String, AttributeValue>> items = new ArrayList<>();

		final List<UpdateItemRequest> updates = new ArrayList<>();

		@Override
		public CompletableFuture<DescribeTableResponse> describeTable(DescribeTableRequest request) {
			return CompletableFuture.completedFuture(DescribeTableResponse.builder()
				.table(TableDescription.builder()
					.tableName(request.tableName())
					.tableStatus(TableStatus.ACTIVE)
					.keySchema(
							KeySchemaElement.builder()
								.attributeName(DynamoDbCheckpointer.STREAM_KEY)
								.keyType(KeyType.HASH)
								.build(),
							KeySchemaElement.builder()
								.attributeName(DynamoDbCheckpointer.SHARD_ID)
								.keyType(KeyType.RANGE)
								.build())
					.build())
				.build());
		}

		@Override
		public CompletableFuture<QueryResponse> query(QueryRequest request) {
			AttributeValue partitionKey = request.expressionAttributeValues().get(":sk");
			List<Map<String, AttributeValue>> found = this.items.stream()
				.filter((item) -> item.get(DynamoDbCheckpointer.STREAM_KEY).equals(partitionKey))
				.limit((request.limit() != null) ? request.limit() : Integer.MAX_VALUE)
				.toList();
			return CompletableFuture.completedFuture(QueryResponse.builder().items(found).count(found.size()).build());
		}

		@Override
		public CompletableFuture<GetItemResponse> getItem(GetItemRequest request) {
			// no layout item: a new group
			return CompletableFuture.completedFuture(GetItemResponse.builder().build());
		}

		@Override
		public CompletableFuture<PutItemResponse> putItem(PutItemRequest request) {
			return CompletableFuture.completedFuture(PutItemResponse.builder().build());
		}

		@Override
		public CompletableFuture<UpdateItemResponse> updateItem(UpdateItemRequest request) {
			this.updates.add(request);
			return CompletableFuture.completedFuture(UpdateItemResponse.builder().build());
		}

		@Override
		public String serviceName() {
			return "dynamodb";
		}

		@Override
		public void close() {
		}

	}

}
