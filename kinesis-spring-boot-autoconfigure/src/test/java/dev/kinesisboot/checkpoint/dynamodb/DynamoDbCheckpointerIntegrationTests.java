package dev.kinesisboot.checkpoint.dynamodb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.CheckpointerContractTests;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.testsupport.LocalDynamoDb;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The checkpointer contract against {@link DynamoDbCheckpointer}s on the local DynamoDB
 * API (dynalite), plus what only DynamoDB has: the table, its creation on request, and
 * the item layout.
 */
@RequiresLocalServers({ LocalServer.KINESIS, LocalServer.DYNAMODB })
class DynamoDbCheckpointerIntegrationTests extends CheckpointerContractTests {

	private static final String TABLE = TestNames.unique("leases");

	private static DynamoDbAsyncClient client;

	@BeforeAll
	static void connect(LocalDynamoDb dynamoDb) {
		client = dynamoDb.client();
	}

	@AfterAll
	static void deleteTable() {
		if (client != null) {
			client.deleteTable((request) -> request.tableName(TABLE)).exceptionally((error) -> null).join();
		}
	}

	@Override
	protected Checkpointer newCheckpointer(CheckpointerSettings settings) {
		return DynamoDbCheckpointer.builder(settings, client).tableName(TABLE).createTableIfMissing(true).build();
	}

	@Override
	protected String storeName() {
		return "dynamodb";
	}

	@Test
	void missingTableFailsEveryOperationWithAMessageNamingTheTableAndTheOption() {
		String table = TestNames.unique("missing");
		DynamoDbCheckpointer checkpointer = DynamoDbCheckpointer
			.builder(settings("app", "orders", "worker-a", LONG_LEASE), client)
			.tableName(table)
			.build();

		Throwable listing = catchThrowable(() -> checkpointer.listLeases().join());
		assertThat(listing).isInstanceOf(CompletionException.class)
			.cause()
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("'" + table + "'")
			.hasMessageContaining("createTableIfMissing(true)");
		assertThat(catchThrowable(() -> checkpointer.takeLease(SHARD, null).join()))
			.hasCauseInstanceOf(IllegalStateException.class);
		assertThat(client.listTables().join().tableNames()).doesNotContain(table);
	}

	@Test
	void createsAMissingTableOnDemandWithStreamKeyAndShardIdWhenAsked() {
		String table = TestNames.unique("created");
		try {
			DynamoDbCheckpointer checkpointer = DynamoDbCheckpointer
				.builder(settings("app", "orders", "worker-a", LONG_LEASE), client)
				.tableName(table)
				.createTableIfMissing(true)
				.build();
			checkpointer.ensureTable().join();

			TableDescription description = client.describeTable((request) -> request.tableName(table)).join().table();
			assertThat(description.keySchema()).containsExactlyInAnyOrder(
					KeySchemaElement.builder().attributeName("stream_key").keyType(KeyType.HASH).build(),
					KeySchemaElement.builder().attributeName("shard_id").keyType(KeyType.RANGE).build());
			if (description.billingModeSummary() != null) {
				assertThat(description.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
			}
			assertThat(checkpointer.takeLease(SHARD, null).join()).isTrue();
		}
		finally {
			client.deleteTable((request) -> request.tableName(table)).join();
		}
	}

	@Test
	void tableWithAnotherKeyIsRefusedWithAMessageNamingTheExpectedKey(LocalDynamoDb dynamoDb) {
		String table = TestNames.unique("other-key");
		client
			.createTable((request) -> request.tableName(table)
				.billingMode(BillingMode.PAY_PER_REQUEST)
				.keySchema((key) -> key.attributeName("lease_key").keyType(KeyType.HASH))
				.attributeDefinitions(
						(attribute) -> attribute.attributeName("lease_key").attributeType(ScalarAttributeType.S)))
			.join();
		dynamoDb.awaitActive(table);
		try {
			DynamoDbCheckpointer checkpointer = DynamoDbCheckpointer
				.builder(settings("app", "orders", "worker-a", LONG_LEASE), client)
				.tableName(table)
				.createTableIfMissing(true)
				.build();
			assertThat(catchThrowable(() -> checkpointer.listLeases().join())).cause()
				.isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("'" + table + "'")
				.hasMessageContaining("stream_key")
				.hasMessageContaining("shard_id");
		}
		finally {
			client.deleteTable((request) -> request.tableName(table)).join();
		}
	}

	@Test
	void keepsOneItemPerShardUnderItsBucketsKeyWithoutTimeToLive() {
		String app = TestNames.unique("layout");
		DynamoDbCheckpointer checkpointer = (DynamoDbCheckpointer) checkpointer(app, "orders", "worker-a", LONG_LEASE);
		assertThat(checkpointer.takeLease(SHARD, null).join()).isTrue();
		checkpointer.checkpoint(SHARD, new Checkpoint("4711", 3)).join();

		int bucket = DynamoDbCheckpointer.bucketOf(SHARD, DynamoDbCheckpointer.DEFAULT_LEASE_BUCKETS);
		Map<String, AttributeValue> key = Map.of("stream_key", AttributeValue.fromS(app + ":orders#" + bucket),
				"shard_id", AttributeValue.fromS(SHARD));
		Map<String, AttributeValue> item = client
			.getItem((request) -> request.tableName(TABLE).key(key).consistentRead(true))
			.join()
			.item();
		assertThat(item).containsOnlyKeys("stream_key", "shard_id", "owner", "lease_counter", "expires_at",
				"checkpoint");
		assertThat(item.get("owner").s()).isEqualTo("worker-a");
		assertThat(item.get("lease_counter").n()).isEqualTo("1");
		assertThat(item.get("checkpoint").s()).isEqualTo("4711:3");
		assertThat(Long.parseLong(item.get("expires_at").n()))
			.isEqualTo(checkpointer.listLeases().join().get(0).expiresAt().toEpochMilli());

		checkpointer.releaseLease(SHARD).join();
		Map<String, AttributeValue> released = client
			.getItem((request) -> request.tableName(TABLE).key(key).consistentRead(true))
			.join()
			.item();
		assertThat(released).containsOnlyKeys("stream_key", "shard_id", "lease_counter", "checkpoint");
	}

	@Test
	void aNewGroupSpreadsItsLeasesOverTheBucketsTheFirstWorkerWroteDown() {
		String app = TestNames.unique("buckets");
		DynamoDbCheckpointer first = DynamoDbCheckpointer
			.builder(settings(app, "orders", "worker-a", LONG_LEASE), client)
			.tableName(TABLE)
			.leaseBuckets(8)
			.build();
		// a worker configured otherwise follows the layout item
		DynamoDbCheckpointer second = DynamoDbCheckpointer
			.builder(settings(app, "orders", "worker-b", LONG_LEASE), client)
			.tableName(TABLE)
			.leaseBuckets(3)
			.build();
		List<String> shards = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			shards.add(String.format("shardId-%012d", i));
		}
		shards.forEach((shard) -> assertThat(first.takeLease(shard, null).join()).isTrue());
		assertThat(first.leaseBuckets().join()).isEqualTo(8);
		assertThat(second.leaseBuckets().join()).isEqualTo(8);
		assertThat(second.listLeases().join()).extracting(Lease::shardId).containsExactlyElementsOf(shards);
		Set<String> keys = new TreeSet<>();
		for (int bucket = 0; bucket < 8; bucket++) {
			String partitionKey = app + ":orders#" + bucket;
			int count = client
				.query((request) -> request.tableName(TABLE)
					.keyConditionExpression("stream_key = :k")
					.expressionAttributeValues(Map.of(":k", AttributeValue.fromS(partitionKey))))
				.join()
				.count();
			if (count > 0) {
				keys.add(partitionKey);
			}
			assertThat(count).as("leases under " + partitionKey).isLessThanOrEqualTo(10);
		}
		assertThat(keys).hasSizeGreaterThan(4);
		assertThat(client
			.query((request) -> request.tableName(TABLE)
				.keyConditionExpression("stream_key = :k")
				.expressionAttributeValues(Map.of(":k", AttributeValue.fromS(app + ":orders"))))
			.join()
			.count()).as("nothing under the stream key itself").isZero();
	}

	@Test
	void leasesWrittenByAnEarlierVersionUnderTheStreamKeyKeepWorking() {
		String app = TestNames.unique("legacy");
		// as versions without buckets wrote them: every lease under the stream key
		client.putItem((request) -> request.tableName(TABLE)
			.item(Map.of("stream_key", AttributeValue.fromS(app + ":orders"), "shard_id", AttributeValue.fromS(SHARD),
					"lease_counter", AttributeValue.fromN("7"), "checkpoint", AttributeValue.fromS("4711:0"))))
			.join();
		DynamoDbCheckpointer checkpointer = (DynamoDbCheckpointer) checkpointer(app, "orders", "worker-a", LONG_LEASE);
		assertThat(checkpointer.leaseBuckets().join()).isEqualTo(1);
		Lease stored = checkpointer.listLeases().join().get(0);
		assertThat(stored.checkpoint()).isEqualTo(Checkpoint.at("4711"));
		assertThat(checkpointer.takeLease(SHARD, stored).join()).isTrue();
		checkpointer.checkpoint(SHARD, Checkpoint.at("4712")).join();
		Map<String, AttributeValue> item = client
			.getItem((request) -> request.tableName(TABLE)
				.key(Map.of("stream_key", AttributeValue.fromS(app + ":orders"), "shard_id",
						AttributeValue.fromS(SHARD)))
				.consistentRead(true))
			.join()
			.item();
		assertThat(item.get("owner").s()).isEqualTo("worker-a");
		assertThat(item.get("checkpoint").s()).isEqualTo(Checkpoint.at("4712").toText());
	}

}
