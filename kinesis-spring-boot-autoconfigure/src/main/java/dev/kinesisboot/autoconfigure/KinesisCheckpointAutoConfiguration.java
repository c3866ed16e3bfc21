package dev.kinesisboot.autoconfigure;

import dev.kinesisboot.checkpoint.CheckpointerFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configures the {@link CheckpointerFactory} chosen by
 * {@code kinesis.checkpoint.store}.
 */
@AutoConfiguration(after = KinesisAutoConfiguration.class,
		afterName = { "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration" })
public class KinesisCheckpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(name = "kinesis.checkpoint.store", havingValue = "memory", matchIfMissing = true)
	CheckpointerFactory kinesisMemoryCheckpointerFactory(KinesisProperties properties) {
		KinesisOptionsMapper.positive("kinesis.consumer.lease-duration", properties.getConsumer().getLeaseDuration());
		return CheckpointerFactory.memory(properties.getConsumer().getLeaseDuration());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "kinesis.checkpoint.store", havingValue = "redis")
	@ConditionalOnMissingClass("org.springframework.data.redis.connection.RedisConnectionFactory")
	static class RedisMissingConfiguration {

		@Bean
		CheckpointerFactory kinesisRedisCheckpointerFactory() {
			throw new InvalidKinesisPropertyException("kinesis.checkpoint.store", "redis",
					"Spring Data Redis is not on the classpath; add spring-boot-starter-data-redis, or choose memory "
							+ "or dynamodb");
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "kinesis.checkpoint.store", havingValue = "dynamodb")
	@ConditionalOnMissingClass("software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient")
	static class DynamoDbMissingConfiguration {

		@Bean
		CheckpointerFactory kinesisDynamoDbCheckpointerFactory() {
			throw new InvalidKinesisPropertyException("kinesis.checkpoint.store", "dynamodb",
					"the AWS SDK DynamoDB client is not on the classpath; add software.amazon.awssdk:dynamodb, or "
							+ "choose memory or redis");
		}

	}

}
