package dev.kinesisboot.autoconfigure;

import java.time.Duration;

import dev.kinesisboot.checkpoint.CheckpointerFactory;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;
import dev.kinesisboot.checkpoint.redis.RedisCheckpointer;
import dev.kinesisboot.support.AwsErrors;
import io.awspring.cloud.autoconfigure.AwsAsyncClientCustomizer;
import io.awspring.cloud.autoconfigure.AwsClientCustomizer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;

import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

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
	@ConditionalOnClass(name = "org.springframework.data.redis.connection.ReactiveRedisConnectionFactory")
	static class RedisConfiguration {

		@Bean
		@ConditionalOnMissingBean
		CheckpointerFactory kinesisRedisCheckpointerFactory(KinesisProperties properties,
				ObjectProvider<ReactiveRedisConnectionFactory> connectionFactory) {
			ReactiveRedisConnectionFactory redis = connectionFactory.getIfUnique();
			if (redis == null) {
				throw new InvalidKinesisPropertyException("kinesis.checkpoint.store", "redis",
						"there is no Redis connection factory; add spring-boot-starter-data-redis and set "
								+ "spring.data.redis.host/port (or define a LettuceConnectionFactory bean)");
			}
			Duration leaseDuration = properties.getConsumer().getLeaseDuration();
			KinesisOptionsMapper.positive("kinesis.consumer.lease-duration", leaseDuration);
			String keyPrefix = properties.getCheckpoint().getRedis().getKeyPrefix();
			return (applicationName, streamName) -> RedisCheckpointer
				.builder(settings(applicationName, streamName, leaseDuration), redis)
				.keyPrefix(keyPrefix)
				.build();
		}

	}

	/** Longest DynamoDB call, retries included, of the checkpoint client. */
	static final Duration DYNAMODB_API_CALL_TIMEOUT = Duration.ofSeconds(10);

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "kinesis.checkpoint.store", havingValue = "dynamodb")
	@ConditionalOnClass(name = "software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient")
	static class DynamoDbConfiguration {

		@Bean(destroyMethod = "close")
		@ConditionalOnMissingBean(name = "kinesisCheckpointDynamoDbClient")
		DynamoDbAsyncClient kinesisCheckpointDynamoDbClient(KinesisProperties properties,
				ObjectProvider<AwsClientDefaults> awsDefaults,
				ObjectProvider<KinesisConnectionDetails> connectionDetails,
				ObjectProvider<DynamoDbAsyncClientCustomizer> customizers) {
			DynamoDbAsyncClientBuilder builder = DynamoDbAsyncClient.builder();
			KinesisClientSettings.Connection connection = KinesisClientSettings.Connection.dynamoDb(properties,
					connectionDetails.getIfAvailable());
			KinesisClientSettings.apply(connection, builder, awsDefaults.getIfAvailable(), 0);
			// the consumer bounds each lease call itself; this also ends the SDK's
			// retries
			// of a call whose answer will not come, instead of leaving them running
			builder.overrideConfiguration((override) -> override.apiCallTimeout(DYNAMODB_API_CALL_TIMEOUT));
			customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
			return KinesisClientSettings.build(connection, builder);
		}

		@Bean
		@ConditionalOnMissingBean
		CheckpointerFactory kinesisDynamoDbCheckpointerFactory(KinesisProperties properties,
				@Qualifier("kinesisCheckpointDynamoDbClient") DynamoDbAsyncClient client) {
			Duration leaseDuration = properties.getConsumer().getLeaseDuration();
			KinesisOptionsMapper.positive("kinesis.consumer.lease-duration", leaseDuration);
			KinesisProperties.Checkpoint.DynamoDb dynamoDb = properties.getCheckpoint().getDynamodb();
			CheckpointerFactory factory = (applicationName, streamName) -> DynamoDbCheckpointer
				.builder(settings(applicationName, streamName, leaseDuration), client)
				.tableName(dynamoDb.getTableName())
				.createTableIfMissing(dynamoDb.isCreateTable())
				.leaseBuckets(dynamoDb.getLeaseBuckets())
				.build();
			try {
				((DynamoDbCheckpointer) factory.create("startup-check", "startup-check")).ensureTable().join();
			}
			catch (RuntimeException ex) {
				throw new InvalidKinesisPropertyException("kinesis.checkpoint.dynamodb.table-name",
						dynamoDb.getTableName(), AwsErrors.unwrap(ex).getMessage()
								+ " (kinesis.checkpoint.dynamodb.create-table=true creates it, billed per request)");
			}
			return factory;
		}

		/**
		 * Spring Cloud AWS's client customizers (for every async client, and for the
		 * async DynamoDB client builder) apply to the checkpoint store's client, before
		 * the application's own {@link DynamoDbAsyncClientCustomizer}s.
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "io.awspring.cloud.autoconfigure.AwsClientCustomizer")
		static class SpringCloudAwsCustomizers {

			@Bean
			@Order(Ordered.HIGHEST_PRECEDENCE)
			DynamoDbAsyncClientCustomizer kinesisCheckpointSpringCloudAwsCustomizers(
					ObjectProvider<AwsAsyncClientCustomizer> asyncCustomizers,
					ObjectProvider<AwsClientCustomizer<DynamoDbAsyncClientBuilder>> dynamoDbCustomizers) {
				return (builder) -> {
					asyncCustomizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
					dynamoDbCustomizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
				};
			}

		}

	}

	/**
	 * Settings of one consumer's checkpointer, with a worker id of its own: two listener
	 * containers on one stream and group in one process share the shards as two processes
	 * would.
	 */
	private static CheckpointerSettings settings(String applicationName, String streamName, Duration leaseDuration) {
		return CheckpointerSettings.of(applicationName, streamName).withLeaseDuration(leaseDuration);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "kinesis.checkpoint.store", havingValue = "redis")
	@ConditionalOnMissingClass("org.springframework.data.redis.connection.ReactiveRedisConnectionFactory")
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
