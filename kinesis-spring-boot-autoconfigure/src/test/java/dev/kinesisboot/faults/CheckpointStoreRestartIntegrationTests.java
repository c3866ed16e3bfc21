package dev.kinesisboot.faults;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;
import dev.kinesisboot.checkpoint.redis.RedisCheckpointer;
import dev.kinesisboot.consumer.ConsumerMode;
import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The checkpoint store killed with SIGKILL while records flow, down for 3 s, then started
 * again on the same port: the consumer goes on and handles every record. Redis runs
 * without persistence, so its restart forgets leases and checkpoints: the worker resumes
 * from what it handled, also when it reads from the tip (LATEST, the default start
 * position), where a restart used to skip what arrived meanwhile; dynalite keeps its
 * tables on disk. Each test runs a server of its own, so the shared servers are left
 * alone.
 * <p>
 * {@code -Dfaults.records=N} sets the records per test (default 1000); see
 * {@link ConnectionFaultIntegrationTests} for a long run.
 */
@RequiresLocalServers(LocalServer.KINESIS)
class CheckpointStoreRestartIntegrationTests {

	private static final Duration LEASE = Duration.ofSeconds(3);

	private static final Duration DOWN = Duration.ofSeconds(3);

	@Test
	void consumerHandlesEveryRecordThroughARedisKillAndRestart(LocalKinesis kinesis, @TempDir Path directory)
			throws Exception {
		throughRedisRestart(kinesis, directory, InitialPosition.TRIM_HORIZON);
	}

	@Test
	void consumerReadingFromTheTipHandlesEveryRecordThroughARedisKillAndRestart(LocalKinesis kinesis,
			@TempDir Path directory) throws Exception {
		throughRedisRestart(kinesis, directory, InitialPosition.LATEST);
	}

	private static void throughRedisRestart(LocalKinesis kinesis, Path directory, InitialPosition start)
			throws Exception {
		Path binary = ServerProcess.onPath("redis-server").orElse(null);
		assumeThat(binary).as("redis-server on the PATH, for a server of the test's own").isNotNull();
		try (ServerProcess redis = ServerProcess.redis(binary, directory)) {
			redis.start();
			LettuceConnectionFactory factory = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
			factory.afterPropertiesSet();
			factory.start();
			try {
				run(kinesis, "redis", redis, start,
						(settings) -> RedisCheckpointer.builder(settings, factory)
							.operationTimeout(Duration.ofMillis(500))
							.build());
			}
			finally {
				factory.destroy();
			}
		}
	}

	@Test
	void consumerHandlesEveryRecordThroughADynaliteKillAndRestart(LocalKinesis kinesis, @TempDir Path directory)
			throws Exception {
		Path cli = ServerProcess.dynaliteCli().orElse(null);
		assumeThat(cli).as("dynalite installed by scripts/start-local-servers.sh").isNotNull();
		try (ServerProcess dynalite = ServerProcess.dynalite(cli, directory)) {
			dynalite.start();
			try (DynamoDbAsyncClient client = DynamoDbAsyncClient.builder()
				.endpointOverride(URI.create("http://127.0.0.1:" + dynalite.port()))
				.region(LocalKinesis.REGION)
				.credentialsProvider(LocalKinesis.CREDENTIALS)
				.overrideConfiguration((config) -> config.apiCallTimeout(Duration.ofSeconds(2)))
				.build()) {
				String table = TestNames.unique("fault-checkpoints");
				run(kinesis, "dynamodb", dynalite, InitialPosition.TRIM_HORIZON,
						(settings) -> DynamoDbCheckpointer.builder(settings, client)
							.tableName(table)
							.createTableIfMissing(true)
							.build());
			}
		}
	}

	private static void run(LocalKinesis kinesis, String store, ServerProcess server, InitialPosition start,
			Function<CheckpointerSettings, Checkpointer> checkpointers) throws Exception {
		FaultTally tally = new FaultTally(store + " killed and restarted, reading from " + start);
		String stream = kinesis.createStream("fault-store", 2);
		CheckpointerSettings settings = CheckpointerSettings.of(TestNames.unique("faults"), stream)
			.withLeaseDuration(LEASE);
		AuditingCheckpointer checkpointer = new AuditingCheckpointer(checkpointers.apply(settings));
		KinesisConsumer consumer = KinesisConsumer.builder(kinesis.client())
			.streamName(stream)
			.options(FaultRuns.consumerOptions(ConsumerMode.POLLING).toBuilder().initialPosition(start).build())
			.checkpointer(checkpointer)
			.metricsCollector(tally)
			.build();
		List<PutResult> results;
		try {
			consumer.start((record) -> {
				tally.handled(record.dataAsString(), record.sequenceNumber());
				checkpointer.handled(record.shardId(), record.sequenceNumber());
			});
			if (start == InitialPosition.LATEST) {
				// from the tip: what is put before the shards are read is not for this
				// group
				await("both shards read").atMost(Duration.ofSeconds(60))
					.until(() -> consumer.status().size() == 2
							&& consumer.status().stream().allMatch((shard) -> shard.millisBehindLatest() >= 0));
			}
			CompletableFuture<List<PutResult>> production = FaultRuns.produce(kinesis.client(), stream, store, tally);
			await("a third of the records handled").atMost(FaultTally.timeout())
				.until(() -> tally.distinctHandled() >= FaultTally.RECORDS / 3);

			server.kill();
			await(store + " down for " + DOWN.toSeconds() + " s").during(DOWN)
				.atMost(DOWN.multipliedBy(3))
				.until(() -> !server.isAlive());
			server.start();
			double successesAtRestart = tally.counter("consumer_checkpoint_success_total");

			results = production.get(FaultTally.timeout().toMillis(), TimeUnit.MILLISECONDS);
			await("every record handled").atMost(FaultTally.timeout()).until(tally::allHandled);
			await("checkpoints written again").atMost(Duration.ofSeconds(60))
				.until(() -> tally.counter("consumer_checkpoint_success_total") > successesAtRestart);
			System.out.printf("[faults] %s killed and restarted: %s checkpoint failures, %d checkpoint writes%n", store,
					tally.counter("consumer_checkpoint_failure_total"), checkpointer.writes());
		}
		finally {
			consumer.close();
			checkpointer.close();
			kinesis.deleteStream(stream);
		}
		tally.printAndAssertNoLoss();
		assertThat(checkpointer.violations(results)).as("checkpoints ahead of handled records").isEmpty();
	}

}
