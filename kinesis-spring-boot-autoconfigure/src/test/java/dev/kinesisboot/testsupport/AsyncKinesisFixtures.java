package dev.kinesisboot.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * The fixtures written by async-kinesis 2.5.6 (copied unchanged from the shared fixtures
 * into {@code src/test/resources/async-kinesis}): raw records of each of its processors,
 * what its consumer yielded, and its checkpoint layouts. Read with a mapper that keeps
 * integers exact.
 */
public final class AsyncKinesisFixtures {

	/** Reads the fixtures: integers stay exact (long or BigInteger). */
	public static final JsonMapper MAPPER = JsonMapper.builder().build();

	private AsyncKinesisFixtures() {
	}

	/**
	 * The fixture folder: {@code ASYNC_KINESIS_FIXTURES}, else the module's
	 * {@code src/test/resources/async-kinesis}.
	 * @return the folder
	 */
	public static Path directory() {
		String configured = System.getenv("ASYNC_KINESIS_FIXTURES");
		Path dir = (configured != null) ? Path.of(configured) : Path.of("src/test/resources/async-kinesis");
		if (!Files.isDirectory(dir)) {
			throw new IllegalStateException("async-kinesis fixtures not found at " + dir.toAbsolutePath()
					+ "; they are in src/test/resources/async-kinesis of the autoconfigure module, or set "
					+ "ASYNC_KINESIS_FIXTURES");
		}
		return dir;
	}

	/**
	 * One fixture file, parsed.
	 * @param name for example {@code MsgpackProcessor.json}
	 * @return its JSON tree
	 */
	public static JsonNode read(String name) {
		return MAPPER.readTree(directory().resolve(name).toFile());
	}

	/**
	 * Creates an async-kinesis DynamoDB checkpoint table as the fixture describes it
	 * (partition key {@code shard_id}, on demand) and waits until it is active.
	 * @param dynamoDb the local DynamoDB
	 * @param table the table, {@code kinesis-checkpoints-<name>}
	 */
	public static void createCheckpointTable(LocalDynamoDb dynamoDb, String table) {
		JsonNode key = read("checkpoints-dynamodb.json").get("table_description").get("KeySchema").get(0);
		String attribute = key.get("AttributeName").asString();
		dynamoDb.client()
			.createTable((request) -> request.tableName(table)
				.billingMode(BillingMode.PAY_PER_REQUEST)
				.keySchema((schema) -> schema.attributeName(attribute).keyType(key.get("KeyType").asString()))
				.attributeDefinitions(
						(definition) -> definition.attributeName(attribute).attributeType(ScalarAttributeType.S)))
			.join();
		dynamoDb.awaitActive(table);
	}

	/**
	 * The raw records of a processor fixture as Kinesis records, in file order.
	 * @param fixture the fixture
	 * @return the records
	 */
	public static List<Record> rawRecords(JsonNode fixture) {
		List<Record> records = new ArrayList<>();
		for (JsonNode raw : fixture.get("raw_records")) {
			records.add(Record.builder()
				.sequenceNumber(raw.get("sequence_number").asString())
				.partitionKey(raw.get("partition_key").asString())
				.approximateArrivalTimestamp(Instant.EPOCH)
				.data(SdkBytes.fromByteArray(Base64.getDecoder().decode(raw.get("data_b64").asString())))
				.build());
		}
		return records;
	}

}
