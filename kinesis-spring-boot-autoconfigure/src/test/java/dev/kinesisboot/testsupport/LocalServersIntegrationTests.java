package dev.kinesisboot.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Proves the test servers are real: Kinesis round-trips a record, DynamoDB enforces a
 * conditional write, Redis stores and reads a key.
 */
@RequiresLocalServers({ LocalServer.KINESIS, LocalServer.DYNAMODB, LocalServer.REDIS })
class LocalServersIntegrationTests {

	@Test
	void kinesisStoresAndReturnsARecord(LocalKinesis kinesis) {
		String stream = kinesis.createStream("smoke", 1);
		try {
			KinesisAsyncClient client = kinesis.client();
			PutRecordResponse put = client
				.putRecord((request) -> request.streamName(stream)
					.partitionKey("order-1")
					.data(SdkBytes.fromString("{\"id\":1}", StandardCharsets.UTF_8)))
				.join();
			String iterator = client
				.getShardIterator((request) -> request.streamName(stream)
					.shardId(put.shardId())
					.shardIteratorType(ShardIteratorType.TRIM_HORIZON))
				.join()
				.shardIterator();
			GetRecordsResponse records = client.getRecords((request) -> request.shardIterator(iterator)).join();

			List<Record> received = records.records();
			assertThat(received).hasSize(1);
			assertThat(received.get(0).sequenceNumber()).isEqualTo(put.sequenceNumber());
			assertThat(received.get(0).partitionKey()).isEqualTo("order-1");
			assertThat(received.get(0).data().asUtf8String()).isEqualTo("{\"id\":1}");
			assertThat(records.nextShardIterator()).isNotNull();
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

	@Test
	void dynamoDbRefusesAConditionalWriteThatDoesNotHold(LocalDynamoDb dynamoDb) {
		DynamoDbAsyncClient client = dynamoDb.client();
		String table = TestNames.unique("leases");
		client
			.createTable((request) -> request.tableName(table)
				.billingMode(BillingMode.PAY_PER_REQUEST)
				.keySchema((key) -> key.attributeName("shard_key").keyType(KeyType.HASH))
				.attributeDefinitions(
						(attribute) -> attribute.attributeName("shard_key").attributeType(ScalarAttributeType.S)))
			.join();
		try {
			dynamoDb.awaitActive(table);
			Map<String, AttributeValue> lease = Map.of("shard_key", AttributeValue.fromS("shardId-000000000000"),
					"owner", AttributeValue.fromS("worker-a"));
			client
				.putItem((request) -> request.tableName(table)
					.item(lease)
					.conditionExpression("attribute_not_exists(shard_key)"))
				.join();

			Map<String, AttributeValue> stolen = Map.of("shard_key", AttributeValue.fromS("shardId-000000000000"),
					"owner", AttributeValue.fromS("worker-b"));
			assertThatExceptionOfType(CompletionException.class)
				.isThrownBy(() -> client.putItem((request) -> request.tableName(table)
					.item(stolen)
					.conditionExpression("attribute_not_exists(shard_key)")).join())
				.withCauseInstanceOf(ConditionalCheckFailedException.class);

			Map<String, AttributeValue> stored = client
				.getItem((request) -> request.tableName(table)
					.key(Map.of("shard_key", AttributeValue.fromS("shardId-000000000000")))
					.consistentRead(true))
				.join()
				.item();
			assertThat(stored.get("owner").s()).isEqualTo("worker-a");
		}
		finally {
			client.deleteTable((request) -> request.tableName(table)).join();
		}
	}

	@Test
	void redisStoresAndExpiresAKey(LocalRedis redis) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.host(), redis.port()));
		factory.afterPropertiesSet();
		factory.start();
		try {
			StringRedisTemplate template = new StringRedisTemplate(factory);
			String key = TestNames.unique("lease");
			assertThat(template.opsForValue().setIfAbsent(key, "worker-a", Duration.ofSeconds(30))).isTrue();
			assertThat(template.opsForValue().setIfAbsent(key, "worker-b", Duration.ofSeconds(30))).isFalse();
			assertThat(template.opsForValue().get(key)).isEqualTo("worker-a");
			assertThat(template.getExpire(key)).isPositive();
			template.delete(key);
		}
		finally {
			factory.destroy();
		}
	}

}
