package dev.kinesisboot.autoconfigure;

import java.util.List;

import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalRedis;
import dev.kinesisboot.testsupport.TestNames;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Application instances of one consumer group that share their leases through Redis, for
 * tests that run two of them in one JVM (each context is an instance with a worker id of
 * its own).
 */
final class RedisBackedInstances {

	private RedisBackedInstances() {
	}

	/**
	 * A runner whose every context is one instance of the group, reading the stream as
	 * {@code ${test.stream}} from the oldest record, with a short lease.
	 * @param kinesis kinesis-local
	 * @param redis the Redis server
	 * @param application the instance's configuration
	 * @param stream the stream
	 * @param group what the group's name starts with
	 * @return the runner
	 */
	static ApplicationContextRunner runner(LocalKinesis kinesis, LocalRedis redis, Class<?> application, String stream,
			String group) {
		return new ApplicationContextRunner().withUserConfiguration(application)
			.withBean(LettuceConnectionFactory.class,
					() -> new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port())))
			.withPropertyValues("kinesis.endpoint=" + kinesis.endpoint(), "kinesis.region=us-east-1",
					"kinesis.credentials.access-key=local", "kinesis.credentials.secret-key=local",
					"kinesis.checkpoint.store=redis", "kinesis.consumer.group=" + TestNames.unique(group),
					"kinesis.consumer.start-position=TRIM_HORIZON", "kinesis.consumer.poll-interval=100ms",
					"kinesis.consumer.lease-duration=3s", "kinesis.producer.buffer-time=20ms", "test.stream=" + stream);
	}

	/**
	 * How many shards an instance's listener container reads now.
	 * @param context the instance
	 * @param containerId the container
	 * @return the shard count
	 */
	static int owned(AssertableApplicationContext context, String containerId) {
		List<KinesisConsumer> consumers = context.getBean(KinesisListenerEndpointRegistry.class)
			.getListenerContainer(containerId)
			.getConsumers();
		return consumers.isEmpty() ? 0 : consumers.get(0).status().size();
	}

}
