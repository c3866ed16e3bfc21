package dev.kinesisboot.autoconfigure;

import java.time.Instant;
import java.util.Map;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.CheckpointerFactory;
import dev.kinesisboot.checkpoint.asynckinesis.AsyncKinesisLeaseHeldException;
import dev.kinesisboot.testsupport.AsyncKinesisFixtures;
import dev.kinesisboot.testsupport.LocalDynamoDb;
import dev.kinesisboot.testsupport.LocalRedis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code kinesis.checkpoint.import-from}: the checkpointer a listener container gets for
 * a group and stream comes with async-kinesis's checkpoints of that group imported.
 */
@RequiresLocalServers({ LocalServer.REDIS, LocalServer.DYNAMODB })
class KinesisCheckpointImportAutoConfigurationIntegrationTests {

	private static final String SHARD = "shardId-000000000000";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KinesisAutoConfiguration.class,
				KinesisCheckpointAutoConfiguration.class, KinesisCheckpointImportAutoConfiguration.class))
		.withPropertyValues("kinesis.region=us-east-1", "kinesis.endpoint=http://127.0.0.1:1",
				"kinesis.credentials.access-key=local", "kinesis.credentials.secret-key=local");

	@Test
	void importFromRedisFillsTheStoreOfEachGroupBeforeItsCheckpointerIsHandedOut(LocalRedis redis) {
		String group = TestNames.unique("py-group");
		LettuceConnectionFactory connections = connections(redis);
		new StringRedisTemplate(connections).opsForValue()
			.set("pyredis-" + group + "-" + SHARD, "{\"ref\": null, \"ts\": null, \"sequence\": \"4711\"}");
		this.runner.withPropertyValues("kinesis.checkpoint.import-from=redis")
			.withBean(LettuceConnectionFactory.class, () -> connections)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Checkpointer checkpointer = context.getBean(CheckpointerFactory.class).create(group, "orders");
				Checkpoint imported = checkpointer.getCheckpoint(SHARD).join().orElseThrow();
				assertThat(imported.sequenceNumber()).isEqualTo("4711");
				assertThat(imported.compareTo(new Checkpoint("4711", 1_000))).as("every user record of 4711")
					.isPositive();
				assertThat(checkpointer.listLeases().join()).singleElement()
					.satisfies((lease) -> assertThat(lease.owner()).isNull());
			});
	}

	@Test
	void aLiveAsyncKinesisLeaseStopsTheImportWithTheFix(LocalRedis redis) {
		String group = TestNames.unique("py-live");
		LettuceConnectionFactory connections = connections(redis);
		new StringRedisTemplate(connections).opsForValue()
			.set("pyredis-" + group + "-" + SHARD, "{\"ref\": \"" + group + "/4120\", \"ts\": "
					+ Instant.now().getEpochSecond() + ", \"sequence\": \"4711\"}");
		this.runner.withPropertyValues("kinesis.checkpoint.import-from=redis")
			.withBean(LettuceConnectionFactory.class, () -> connections(redis))
			.run((context) -> {
				CheckpointerFactory factory = context.getBean(CheckpointerFactory.class);
				assertThatThrownBy(() -> factory.create(group, "orders"))
					.isInstanceOfSatisfying(AsyncKinesisLeaseHeldException.class, (ex) -> {
						FailureAnalysis analysis = new KinesisFailureAnalyzers.AsyncKinesisLeaseHeld()
							.analyze(new IllegalStateException("start-up failed", ex));
						assertThat(analysis.getDescription()).contains(SHARD).contains(group + "/4120");
						assertThat(analysis.getAction()).contains("kinesis.checkpoint.import-force=true");
					});
			});
		this.runner.withPropertyValues("kinesis.checkpoint.import-from=redis", "kinesis.checkpoint.import-force=true")
			.withBean(LettuceConnectionFactory.class, () -> connections(redis))
			.run((context) -> assertThat(
					context.getBean(CheckpointerFactory.class).create(group, "orders").getCheckpoint(SHARD).join())
				.isPresent());
	}

	@Test
	void importFromDynamoDbReadsTheTableOfTheNamedCheckpointer(LocalDynamoDb dynamoDb) {
		String name = TestNames.unique("py-named");
		String table = "kinesis-checkpoints-" + name;
		AsyncKinesisFixtures.createCheckpointTable(dynamoDb, table);
		try {
			dynamoDb.client()
				.putItem((request) -> request.tableName(table)
					.item(Map.of("shard_id", AttributeValue.fromS(SHARD), "ref", AttributeValue.fromNul(true), "ts",
							AttributeValue.fromNul(true), "sequence", AttributeValue.fromS("815"), "ttl",
							AttributeValue.fromN("1796250083"))))
				.join();
			this.runner
				.withPropertyValues("kinesis.checkpoint.import-from=dynamodb", "kinesis.checkpoint.import-name=" + name,
						"kinesis.checkpoint.import-endpoint=" + dynamoDb.endpoint())
				.run((context) -> {
					assertThat(context).hasNotFailed();
					Checkpointer checkpointer = context.getBean(CheckpointerFactory.class)
						.create(TestNames.unique("java-group"), "orders");
					assertThat(checkpointer.getCheckpoint(SHARD).join()).get()
						.extracting(Checkpoint::sequenceNumber)
						.isEqualTo("815");
				});
		}
		finally {
			dynamoDb.client().deleteTable((request) -> request.tableName(table)).join();
		}
	}

	private static LettuceConnectionFactory connections(LocalRedis redis) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.host(), redis.port()));
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

}
