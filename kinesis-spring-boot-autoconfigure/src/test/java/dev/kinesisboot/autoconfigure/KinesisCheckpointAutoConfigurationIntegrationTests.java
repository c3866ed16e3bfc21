package dev.kinesisboot.autoconfigure;

import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.CheckpointerFactory;
import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;
import dev.kinesisboot.checkpoint.redis.RedisCheckpointer;
import dev.kinesisboot.testsupport.LocalDynamoDb;
import dev.kinesisboot.testsupport.LocalRedis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis and DynamoDB checkpoint stores chosen by {@code kinesis.checkpoint.store},
 * against the real servers.
 */
@RequiresLocalServers({ LocalServer.REDIS, LocalServer.DYNAMODB })
class KinesisCheckpointAutoConfigurationIntegrationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(KinesisAutoConfiguration.class, KinesisCheckpointAutoConfiguration.class))
		.withPropertyValues("kinesis.region=us-east-1", "kinesis.endpoint=http://127.0.0.1:1",
				"kinesis.credentials.access-key=local", "kinesis.credentials.secret-key=local");

	@Test
	void redisStoreUsesTheApplicationsConnectionFactory(LocalRedis redis) {
		this.runner.withPropertyValues("kinesis.checkpoint.store=redis")
			.withBean(LettuceConnectionFactory.class,
					() -> new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port())))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Checkpointer checkpointer = context.getBean(CheckpointerFactory.class)
					.create(TestNames.unique("app"), "orders");
				assertThat(checkpointer).isInstanceOf(RedisCheckpointer.class);
				assertThat(checkpointer.takeLease("shardId-000000000000", null).join()).isTrue();
			});
	}

	@Test
	void dynamoDbStoreCreatesItsTableWhenAskedTo(LocalDynamoDb dynamoDb) {
		String table = TestNames.unique("checkpoints");
		this.runner
			.withPropertyValues("kinesis.checkpoint.store=dynamodb",
					"kinesis.checkpoint.dynamodb.endpoint=" + dynamoDb.endpoint(),
					"kinesis.checkpoint.dynamodb.table-name=" + table, "kinesis.checkpoint.dynamodb.create-table=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Checkpointer checkpointer = context.getBean(CheckpointerFactory.class).create("app", "orders");
				assertThat(checkpointer).isInstanceOf(DynamoDbCheckpointer.class);
				assertThat(checkpointer.takeLease("shardId-000000000000", null).join()).isTrue();
			});
		dynamoDb.client().deleteTable((request) -> request.tableName(table)).join();
	}

	@Test
	void missingDynamoDbTableFailsStartupWithTheTableAndTheProperty(LocalDynamoDb dynamoDb) {
		String table = TestNames.unique("missing");
		this.runner
			.withPropertyValues("kinesis.checkpoint.store=dynamodb",
					"kinesis.checkpoint.dynamodb.endpoint=" + dynamoDb.endpoint(),
					"kinesis.checkpoint.dynamodb.table-name=" + table)
			.run((context) -> assertThat(context.getStartupFailure())
				.hasRootCauseInstanceOf(InvalidKinesisPropertyException.class)
				.rootCause()
				.hasMessageContaining(table)
				.hasMessageContaining("kinesis.checkpoint.dynamodb.create-table=true"));
	}

}
