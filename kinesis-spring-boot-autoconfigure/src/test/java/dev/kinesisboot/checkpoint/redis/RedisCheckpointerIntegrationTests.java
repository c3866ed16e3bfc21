package dev.kinesisboot.checkpoint.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.CheckpointerContractTests;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalRedis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The checkpointer contract against {@link RedisCheckpointer}s on the local Redis, plus
 * what only Redis has: its key layout, an unresponsive server and a restart.
 */
@RequiresLocalServers({ LocalServer.KINESIS, LocalServer.REDIS })
class RedisCheckpointerIntegrationTests extends CheckpointerContractTests {

	private static LettuceConnectionFactory connectionFactory;

	@BeforeAll
	static void connect(LocalRedis redis) {
		connectionFactory = connectionFactory(redis.host(), redis.port());
	}

	@AfterAll
	static void disconnect() {
		if (connectionFactory != null) {
			connectionFactory.destroy();
		}
	}

	@Override
	protected Checkpointer newCheckpointer(CheckpointerSettings settings) {
		return RedisCheckpointer.builder(settings, connectionFactory).operationTimeout(Duration.ofSeconds(2)).build();
	}

	@Override
	protected String storeName() {
		return "redis";
	}

	@Test
	void keepsOneHashPerShardUnderTheStreamsHashTagThatNeverExpires() {
		String app = TestNames.unique("layout");
		RedisCheckpointer checkpointer = (RedisCheckpointer) checkpointer(app, "orders", "worker-a", LONG_LEASE);
		assertThat(checkpointer.takeLease(SHARD, null).join()).isTrue();
		checkpointer.checkpoint(SHARD, new Checkpoint("4711", 3)).join();

		String key = "kinesis:{" + app + ":orders}:" + SHARD;
		assertThat(checkpointer.leaseKey(SHARD)).isEqualTo(key);
		StringRedisTemplate redis = new StringRedisTemplate(connectionFactory);
		Map<Object, Object> hash = redis.opsForHash().entries(key);
		assertThat(hash).containsOnlyKeys("owner", "counter", "expiresAt", "checkpoint")
			.containsEntry("owner", "worker-a")
			.containsEntry("counter", "1")
			.containsEntry("checkpoint", "4711:3");
		assertThat(Long.parseLong((String) hash.get("expiresAt")))
			.isEqualTo(checkpointer.listLeases().join().get(0).expiresAt().toEpochMilli());
		assertThat(redis.opsForSet().members("kinesis:{" + app + ":orders}:shards")).containsExactly(SHARD);
		assertThat(redis.getExpire(key)).as("no time to live").isEqualTo(-1L);

		checkpointer.releaseLease(SHARD).join();
		assertThat(redis.opsForHash().entries(key)).containsOnlyKeys("counter", "checkpoint");
	}

	@Test
	void operationsFailInsteadOfHangingWhileRedisDoesNotAnswer() throws Exception {
		Path binary = redisServer();
		try (RedisServerProcess server = RedisServerProcess.start(binary)) {
			LettuceConnectionFactory factory = connectionFactory("127.0.0.1", server.port());
			try {
				RedisCheckpointer checkpointer = RedisCheckpointer
					.builder(settings(TestNames.unique("pause"), "orders", "worker-a", LONG_LEASE), factory)
					.operationTimeout(Duration.ofMillis(300))
					.build();
				InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
				checkpointer.bindMetrics(metrics, MetricLabels.stream("orders"));
				assertThat(checkpointer.takeLease(SHARD, null).join()).isTrue();

				server.pauseClients(Duration.ofSeconds(2));
				long start = System.nanoTime();
				Throwable renewal = catchThrowable(() -> checkpointer.renewLease(SHARD).join());
				Throwable checkpoint = catchThrowable(() -> checkpointer.checkpoint(SHARD, Checkpoint.at("1")).join());
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
				assertThat(renewal).isInstanceOf(CompletionException.class)
					.hasCauseInstanceOf(QueryTimeoutException.class)
					.hasMessageContaining("300 ms");
				assertThat(checkpoint).hasCauseInstanceOf(QueryTimeoutException.class);
				assertThat(metrics.counters())
					.containsEntry("consumer_checkpoint_failure_total{shard_id=" + SHARD + ",stream_name=orders}", 1.0);

				await("Redis answers again").atMost(Duration.ofSeconds(10))
					.ignoreExceptions()
					.until(() -> checkpointer.renewLease(SHARD).join());
				checkpointer.checkpoint(SHARD, Checkpoint.at("2")).join();
				assertThat(checkpointer.getCheckpoint(SHARD).join()).contains(Checkpoint.at("2"));
			}
			finally {
				factory.destroy();
			}
		}
	}

	@Test
	void consumptionResumesAfterARedisRestartWithFailuresCountedAndNoRecordLost(LocalKinesis kinesis) throws Exception {
		Path binary = redisServer();
		String stream = stream(kinesis, "redis-restart", 4);
		String app = TestNames.unique("app");
		Duration lease = Duration.ofSeconds(2);
		Deliveries deliveries = new Deliveries();
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		try (RedisServerProcess server = RedisServerProcess.start(binary)) {
			LettuceConnectionFactory factory = connectionFactory("127.0.0.1", server.port());
			try {
				Checkpointer observer = privateCheckpointer(factory, app, stream, "observer", lease);
				KinesisConsumer w1 = worker(kinesis, privateCheckpointer(factory, app, stream, "w1", lease), OPTIONS,
						metrics, deliveries::record);
				KinesisConsumer w2 = worker(kinesis, privateCheckpointer(factory, app, stream, "w2", lease), OPTIONS,
						metrics, deliveries::record);
				awaitBalanced(4, lease, w1, w2);
				produce(kinesis, stream, "a-", 200);
				await("first records").atMost(Duration.ofSeconds(30)).until(() -> deliveries.distinct() == 200);

				server.shutdownSaving();
				produce(kinesis, stream, "b-", 200);
				await("records read and checkpoint failures counted while Redis is down").atMost(Duration.ofSeconds(30))
					.until(() -> deliveries.distinct() == 400
							&& counter(metrics, "consumer_checkpoint_failure_total") > 0);
				server.start();

				Map<String, PutResult> tips = lastPerShard(produce(kinesis, stream, "c-", 200));
				await("records after the restart").atMost(Duration.ofSeconds(60))
					.until(() -> deliveries.distinct() == 600);
				await("checkpoints written again, up to the last records").atMost(Duration.ofSeconds(30))
					.until(() -> checkpointedUpTo(observer, tips));
				awaitBalanced(4, lease, w1, w2);
				System.out.printf(
						"[redis] restart test: 600 records, %d deliveries, %d duplicates, %.0f checkpoint failures%n",
						deliveries.total(), deliveries.duplicates(),
						counter(metrics, "consumer_checkpoint_failure_total"));
				w1.close();
				w2.close();
			}
			finally {
				factory.destroy();
			}
		}
	}

	private Checkpointer privateCheckpointer(LettuceConnectionFactory factory, String app, String stream, String worker,
			Duration lease) {
		return register(RedisCheckpointer.builder(settings(app, stream, worker, lease), factory)
			.operationTimeout(Duration.ofMillis(500))
			.build());
	}

	private static Path redisServer() {
		assumeThat(RedisServerProcess.binary()).as("redis-server on the PATH, for a server of the test's own")
			.isPresent();
		return RedisServerProcess.binary().orElseThrow();
	}

	private static LettuceConnectionFactory connectionFactory(String host, int port) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host, port));
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

}
