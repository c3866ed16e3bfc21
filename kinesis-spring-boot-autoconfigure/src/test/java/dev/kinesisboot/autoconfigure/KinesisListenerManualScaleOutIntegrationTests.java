package dev.kinesisboot.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kinesisboot.listener.Acknowledgement;
import dev.kinesisboot.listener.KinesisListener;
import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.record.KinesisRecord;
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
 * MANUAL acknowledgement across a scale-out, against kinesis-local and Redis: a second
 * instance takes one of the first instance's two shards (the normal way load spreads),
 * and from then on both instances' acknowledgements still succeed and cover their own
 * shard's records, so nothing handled is handed over again.
 */
@RequiresLocalServers({ LocalServer.KINESIS, LocalServer.REDIS })
class KinesisListenerManualScaleOutIntegrationTests {

	@Test
	void acknowledgementsKeepWorkingForBothInstancesAfterASecondOneTakesAShard(LocalKinesis kinesis, LocalRedis redis) {
		String stream = kinesis.createStream("manual-scale", 2);
		ApplicationContextRunner runner = RedisBackedInstances.runner(kinesis, redis, TestApplication.class, stream,
				"manual");
		runner.run((first) -> {
			Instance a = first.getBean(Instance.class);
			send(first, stream, "first", 30);
			await().atMost(Duration.ofSeconds(60)).until(() -> a.handled.size() == 30);
			assertThat(RedisBackedInstances.owned(first, "manual")).isEqualTo(2);

			runner.run((second) -> {
				Instance b = second.getBean(Instance.class);
				await().atMost(Duration.ofSeconds(60))
					.until(() -> RedisBackedInstances.owned(first, "manual") == 1
							&& RedisBackedInstances.owned(second, "manual") == 1);
				send(second, stream, "second", 30);
				await().atMost(Duration.ofSeconds(60)).until(() -> count(a, "second") + count(b, "second") >= 30);
				// issue 18's report: every acknowledge() of the first instance threw once
				// it lost a shard, and its handled records came again (on 7b0396c this
				// test fails earlier: two instances in one JVM shared one worker id, so
				// the second never got a shard)
				assertThat(a.acknowledgeFailures).hasValue(0);
				assertThat(b.acknowledgeFailures).hasValue(0);
				assertThat(a.handled).allSatisfy((key, times) -> assertThat(times).as(key).isOne());
				assertThat(b.handled).allSatisfy((key, times) -> assertThat(times).as(key).isOne())
					.allSatisfy((key, times) -> assertThat(key).startsWith("second"));
			});
		});
	}

	private static void send(AssertableApplicationContext context, String stream, String wave, int count) {
		KinesisTemplate template = context.getBean(KinesisTemplate.class);
		for (int i = 0; i < count; i++) {
			template.send(stream, wave + "-" + i, wave + "-" + i);
		}
		template.flush().join();
	}

	private static long count(Instance instance, String wave) {
		return instance.handled.keySet().stream().filter((key) -> key.startsWith(wave)).count();
	}

	static class Instance {

		final Map<String, Integer> handled = new ConcurrentHashMap<>();

		final AtomicInteger acknowledgeFailures = new AtomicInteger();

		@KinesisListener(id = "manual", streams = "${test.stream}", checkpointMode = "MANUAL")
		void on(KinesisRecord<String> record, Acknowledgement acknowledgement) {
			this.handled.merge(record.payload(), 1, Integer::sum);
			try {
				acknowledgement.acknowledge();
			}
			catch (RuntimeException ex) {
				this.acknowledgeFailures.incrementAndGet();
				throw ex;
			}
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
