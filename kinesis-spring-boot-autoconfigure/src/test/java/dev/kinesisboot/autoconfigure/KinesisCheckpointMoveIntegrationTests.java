package dev.kinesisboot.autoconfigure;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.kinesisboot.consumer.CheckpointMover;
import dev.kinesisboot.listener.KinesisListener;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;
import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalRedis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Moving a group's checkpoints while two instances read the stream, against kinesis-local
 * and Redis, through the actuator endpoint's write operation: back to TRIM_HORIZON every
 * record is read again, after a sequence number reading resumes with the next record, and
 * to LATEST only what arrives afterwards is read.
 */
@RequiresLocalServers({ LocalServer.KINESIS, LocalServer.REDIS })
class KinesisCheckpointMoveIntegrationTests {

	/** What each sent record holds. */
	private static final Map<PutResult, String> VALUES = new ConcurrentHashMap<>();

	@Test
	void checkpointsMovedWhileTwoInstancesRunAreWhereBothResume(LocalKinesis kinesis, LocalRedis redis) {
		String stream = kinesis.createStream("move", 2);
		ApplicationContextRunner runner = RedisBackedInstances.runner(kinesis, redis, TestApplication.class, stream,
				"move");
		runner.run((first) -> runner.run((second) -> {
			Instance a = first.getBean(Instance.class);
			Instance b = second.getBean(Instance.class);
			await().atMost(Duration.ofSeconds(60))
				.until(() -> RedisBackedInstances.owned(first, "move") == 1
						&& RedisBackedInstances.owned(second, "move") == 1);
			List<PutResult> sent = send(first, stream, "one", 20);
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(sent)
					.allSatisfy((record) -> assertThat(times(a, b, record)).isGreaterThanOrEqualTo(1)));

			KinesisEndpoint endpoint = new KinesisEndpoint(first.getBean(KinesisListenerEndpointRegistry.class));
			CheckpointMover.Result moved = endpoint.checkpoints("move", stream, "TRIM_HORIZON", null, null);
			assertThat(moved.moved()).hasSize(2);
			// both instances read every record again, whoever owns which shard now (at
			// least once: a lease that changes hands may bring a batch twice)
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(sent)
					.allSatisfy((record) -> assertThat(times(a, b, record)).as(record.sequenceNumber())
						.isGreaterThanOrEqualTo(2)));

			// after a record of one shard: the later records of that shard come again,
			// that record does not
			PutResult tenth = sent.get(9);
			List<PutResult> later = sent.stream()
				.filter((result) -> result.shardId().equals(tenth.shardId()))
				.filter((result) -> new BigInteger(result.sequenceNumber())
					.compareTo(new BigInteger(tenth.sequenceNumber())) > 0)
				.toList();
			int tenthBefore = times(a, b, tenth);
			endpoint.checkpoints("move", stream, "AFTER_SEQUENCE_NUMBER", null,
					Map.of(tenth.shardId(), tenth.sequenceNumber()));
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(later)
					.allSatisfy((record) -> assertThat(times(a, b, record)).as(record.sequenceNumber())
						.isGreaterThanOrEqualTo(3)));
			assertThat(times(a, b, tenth)).isEqualTo(tenthBefore);

			// to the tip: what is already there does not come again, what follows does
			endpoint.checkpoints("move", stream, "LATEST", null, null);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> RedisBackedInstances.owned(first, "move")
						+ RedisBackedInstances.owned(second, "move") == 2);
			Map<String, Integer> before = Map.copyOf(merged(a, b));
			List<PutResult> next = send(second, stream, "two", 10);
			// each of them at least once (a count of 10 alone could be reached by a
			// duplicate before the last one arrived)
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(next)
					.allSatisfy((record) -> assertThat(times(a, b, record)).isGreaterThanOrEqualTo(1)));
			assertThat(merged(a, b)).containsAllEntriesOf(before);
		}));
	}

	private static List<PutResult> send(AssertableApplicationContext context, String stream, String wave, int count) {
		KinesisTemplate template = context.getBean(KinesisTemplate.class);
		List<PutResult> results = new java.util.ArrayList<>();
		for (int i = 0; i < count; i++) {
			PutResult result = template.send(stream, wave + "-" + i, wave + "-" + i).join();
			VALUES.put(result, wave + "-" + i);
			results.add(result);
		}
		return results;
	}

	/** How often a sent record was handled by either instance. */
	private static int times(Instance a, Instance b, PutResult record) {
		String value = VALUES.get(record);
		return a.handled.getOrDefault(value, 0) + b.handled.getOrDefault(value, 0);
	}

	private static Map<String, Integer> merged(Instance a, Instance b) {
		Map<String, Integer> all = new java.util.HashMap<>(a.handled);
		b.handled.forEach((key, count) -> all.merge(key, count, Integer::sum));
		all.keySet().removeIf((key) -> key.startsWith("two"));
		return all;
	}

	static class Instance {

		final Map<String, Integer> handled = new ConcurrentHashMap<>();

		@KinesisListener(id = "move", streams = "${test.stream}")
		void on(String value) {
			this.handled.merge(value, 1, Integer::sum);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		Instance instance() {
			return new Instance();
		}

	}

}
