package dev.kinesisboot.checkpoint.asynckinesis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kinesisboot.aggregation.RecordFormat;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;
import dev.kinesisboot.checkpoint.redis.RedisCheckpointer;
import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.testsupport.AsyncKinesisFixtures;
import dev.kinesisboot.testsupport.LocalDynamoDb;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalRedis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A consumer group taken over from async-kinesis: on a kinesis-local stream, the first
 * ten records of the checkpoint fixtures are put and handled "by async-kinesis" (its
 * Redis or DynamoDB layout is written exactly as the fixture shows it after a graceful
 * close, with this stream's real sequence numbers), then six more are put; after the
 * import, a Java consumer started at TRIM_HORIZON on each of our stores reads exactly
 * those six, as async-kinesis's own second consumer did in the fixture.
 */
@RequiresLocalServers({ LocalServer.KINESIS, LocalServer.REDIS, LocalServer.DYNAMODB })
class AsyncKinesisCheckpointImportIntegrationTests {

	private static final JsonNode FIXTURE_REDIS = AsyncKinesisFixtures.read("checkpoints-redis.json");

	private static final JsonNode FIXTURE_DYNAMODB = AsyncKinesisFixtures.read("checkpoints-dynamodb.json");

	private static final ConsumerOptions OPTIONS = ConsumerOptions.builder()
		.initialPosition(InitialPosition.TRIM_HORIZON)
		.pollInterval(Duration.ofMillis(100))
		.shutdownTimeout(Duration.ofSeconds(5))
		.build();

	private static LocalKinesis kinesis;

	private static LocalDynamoDb localDynamo;

	private static DynamoDbAsyncClient dynamoDb;

	private static LettuceConnectionFactory redis;

	private static String stream;

	/** async-kinesis's last handled sequence number per shard, after the first ten. */
	private static final Map<String, String> handledByPython = new HashMap<>();

	/** A stream of JSON-lines records, several items each (JsonLineProcessor). */
	private static String linesStream;

	/** The same for the JSON-lines stream. */
	private static final Map<String, String> linesHandledByPython = new HashMap<>();

	private static final List<String> ourTables = new ArrayList<>();

	@BeforeAll
	static void streamHandledByAsyncKinesisThenMoreRecords(LocalKinesis localKinesis, LocalDynamoDb localDynamoDb,
			LocalRedis localRedis) {
		kinesis = localKinesis;
		localDynamo = localDynamoDb;
		dynamoDb = localDynamoDb.client();
		redis = new LettuceConnectionFactory(new RedisStandaloneConfiguration(localRedis.host(), localRedis.port()));
		redis.afterPropertiesSet();
		redis.start();
		stream = kinesis.createStream("ak-import", 2);
		List<JsonNode> records = new ArrayList<>();
		FIXTURE_REDIS.get("records").forEach(records::add);
		assertThat(records).hasSize(16);
		// the fixture lists records by shard; put them in the order async-kinesis put
		// them
		records.sort((a, b) -> Integer.compare(a.get("data_json").get("order_id").asInt(),
				b.get("data_json").get("order_id").asInt()));
		for (JsonNode record : records.subList(0, 10)) {
			PutRecordResponse put = put(record);
			handledByPython.merge(put.shardId(), put.sequenceNumber(),
					AsyncKinesisCheckpointImportIntegrationTests::later);
		}
		for (JsonNode record : records.subList(10, 16)) {
			put(record);
		}
		linesStream = kinesis.createStream("ak-import-lines", 2);
		for (List<JsonNode> group : List.of(records.subList(0, 3), records.subList(3, 6), records.subList(6, 9),
				records.subList(9, 10))) {
			PutRecordResponse put = putLines(group);
			linesHandledByPython.merge(put.shardId(), put.sequenceNumber(),
					AsyncKinesisCheckpointImportIntegrationTests::later);
		}
		putLines(records.subList(10, 13));
		putLines(records.subList(13, 16));
	}

	private static String later(String a, String b) {
		return (new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b)) > 0) ? a : b;
	}

	@AfterAll
	static void cleanUp() {
		if (redis != null) {
			redis.destroy();
		}
		for (String table : ourTables) {
			dynamoDb.deleteTable((request) -> request.tableName(table)).exceptionally((error) -> null).join();
		}
		if (kinesis != null && stream != null) {
			kinesis.deleteStream(stream);
		}
		if (kinesis != null && linesStream != null) {
			kinesis.deleteStream(linesStream);
		}
	}

	@ParameterizedTest(name = "{0} layout into the {1} store")
	@CsvSource({ "redis, memory", "redis, redis", "redis, dynamodb", "dynamodb, memory", "dynamodb, redis",
			"dynamodb, dynamodb" })
	void aConsumerOnTheImportedCheckpointsReadsExactlyTheRecordsAsyncKinesisHadNotHandled(String layout, String store) {
		String name = TestNames.unique("ak-" + layout + "-" + store);
		AsyncKinesisCheckpointSource source = layout.equals("redis") ? writeRedisLayout(name, handledByPython)
				: writeDynamoDbLayout(name);
		Checkpointer checkpointer = checkpointer(store, name, stream);
		List<ImportedShard> imported = AsyncKinesisCheckpointImporter.builder(source)
			.build()
			.importInto(checkpointer)
			.join();
		assertThat(imported).extracting(ImportedShard::outcome).containsOnly(ImportedShard.Outcome.IMPORTED);
		assertThat(imported).hasSize(handledByPython.size());
		assertConsumerReadsOnlyTheLaterSix(KinesisConsumer.builder(kinesis.client()).streamName(stream), checkpointer);
	}

	@ParameterizedTest(name = "into the {0} store")
	@CsvSource({ "memory", "redis", "dynamodb" })
	void insideRecordsOfManyItemsTheWholeCheckpointedRecordCountsAsHandled(String store) {
		String name = TestNames.unique("ak-lines-" + store);
		Checkpointer checkpointer = checkpointer(store, name, linesStream);
		AsyncKinesisCheckpointImporter.builder(writeRedisLayout(name, linesHandledByPython))
			.build()
			.importInto(checkpointer)
			.join();
		assertConsumerReadsOnlyTheLaterSix(KinesisConsumer.builder(kinesis.client())
			.streamName(linesStream)
			.recordExpander(RecordFormat.JSON_LINES.expander()), checkpointer);
	}

	private static void assertConsumerReadsOnlyTheLaterSix(KinesisConsumer.Builder builder, Checkpointer checkpointer) {
		List<Integer> received = new CopyOnWriteArrayList<>();
		KinesisConsumer consumer = builder.options(OPTIONS).checkpointer(checkpointer).build();
		try {
			consumer.start((record) -> received
				.add(AsyncKinesisFixtures.MAPPER.readTree(record.data()).get("order_id").asInt()));
			await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= 6);
			await().during(Duration.ofSeconds(2))
				.atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(received).containsExactlyInAnyOrder(10, 11, 12, 13, 14, 15));
		}
		finally {
			consumer.close();
		}
	}

	/**
	 * The fixture's Redis keys after async-kinesis's graceful close, with our sequences.
	 */
	private static AsyncKinesisCheckpointSource writeRedisLayout(String name, Map<String, String> handled) {
		StringRedisTemplate template = new StringRedisTemplate(redis);
		for (JsonNode entry : closedDump(FIXTURE_REDIS).get("entries")) {
			String fixtureKey = entry.get("key").asString();
			String shardId = fixtureKey.substring(fixtureKey.indexOf("shardId-"));
			ObjectNode value = (ObjectNode) AsyncKinesisFixtures.MAPPER.readTree(entry.get("value").asString());
			assertThat(value.get("ref").isNull()).isTrue();
			value.put("sequence", handled.get(shardId));
			// json.dumps separators, key order as in the fixture
			String text = value.toString().replace("\":", "\": ").replace(",\"", ", \"");
			assertThat(text.replaceAll("\"\\d{20,}\"", "\"SEQ\""))
				.isEqualTo(entry.get("value").asString().replaceAll("\"\\d{20,}\"", "\"SEQ\""));
			template.opsForValue().set("pyredis-" + name + "-" + shardId, text);
		}
		return new RedisAsyncKinesisCheckpoints(redis, name);
	}

	/** The fixture's DynamoDB table and items after async-kinesis's graceful close. */
	private static AsyncKinesisCheckpointSource writeDynamoDbLayout(String name) {
		String table = DynamoDbAsyncKinesisCheckpoints.tableName(name);
		ourTables.add(table);
		AsyncKinesisFixtures.createCheckpointTable(localDynamo, table);
		for (JsonNode entry : closedDump(FIXTURE_DYNAMODB).get("entries")) {
			Map<String, AttributeValue> item = new HashMap<>(AsyncKinesisCheckpointImporterTests.item(entry));
			String shardId = item.get("shard_id").s();
			item.put("sequence", AttributeValue.fromS(handledByPython.get(shardId)));
			dynamoDb.putItem((request) -> request.tableName(table).item(item)).join();
		}
		return new DynamoDbAsyncKinesisCheckpoints(dynamoDb, table);
	}

	private static JsonNode closedDump(JsonNode fixture) {
		for (JsonNode dump : fixture.get("phases").get(0).get("dumps")) {
			if (dump.get("label").asString().equals("after_graceful_close")) {
				return dump;
			}
		}
		throw new IllegalStateException("no after_graceful_close dump");
	}

	private static Checkpointer checkpointer(String store, String group, String streamName) {
		CheckpointerSettings settings = CheckpointerSettings.of(group, streamName);
		return switch (store) {
			case "memory" -> new MemoryCheckpointer(settings);
			case "redis" -> RedisCheckpointer.builder(settings, redis).build();
			case "dynamodb" -> {
				String table = TestNames.unique("ak-target");
				ourTables.add(table);
				DynamoDbCheckpointer checkpointer = DynamoDbCheckpointer.builder(settings, dynamoDb)
					.tableName(table)
					.createTableIfMissing(true)
					.build();
				checkpointer.ensureTable().join();
				yield checkpointer;
			}
			default -> throw new IllegalArgumentException(store);
		};
	}

	/** Items of the fixture as one JSON-lines record, under the first one's key. */
	private static PutRecordResponse putLines(List<JsonNode> records) {
		List<byte[]> lines = records.stream()
			.map((record) -> Base64.getDecoder().decode(record.get("data_b64").asString()))
			.toList();
		byte[] data = RecordFormat.JSON_LINES.pack("k", lines, 1024 * 1024).get(0);
		return kinesis.client()
			.putRecord((request) -> request.streamName(linesStream)
				.partitionKey(records.get(0).get("partition_key").asString())
				.data(SdkBytes.fromByteArray(data)))
			.join();
	}

	private static PutRecordResponse put(JsonNode record) {
		return kinesis.client()
			.putRecord((request) -> request.streamName(stream)
				.partitionKey(record.get("partition_key").asString())
				.data(SdkBytes.fromByteArray(Base64.getDecoder().decode(record.get("data_b64").asString()))))
			.join();
	}

}
