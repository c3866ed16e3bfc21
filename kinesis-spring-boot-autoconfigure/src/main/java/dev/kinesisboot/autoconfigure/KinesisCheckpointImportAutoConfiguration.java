package dev.kinesisboot.autoconfigure;

import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.CheckpointerFactory;
import dev.kinesisboot.checkpoint.asynckinesis.AsyncKinesisCheckpointImporter;
import dev.kinesisboot.checkpoint.asynckinesis.AsyncKinesisCheckpointSource;
import dev.kinesisboot.checkpoint.asynckinesis.DynamoDbAsyncKinesisCheckpoints;
import dev.kinesisboot.checkpoint.asynckinesis.RedisAsyncKinesisCheckpoints;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;

/**
 * With {@code kinesis.checkpoint.import-from} set, imports an async-kinesis consumer
 * group's checkpoints into the checkpoint store when a listener's checkpointer is first
 * created, before its consumer starts: once per group and stream, each shard only where
 * the store has no checkpoint yet (see {@link AsyncKinesisCheckpointImporter}).
 */
@AutoConfiguration(after = KinesisCheckpointAutoConfiguration.class)
@ConditionalOnProperty(name = "kinesis.checkpoint.import-from")
public class KinesisCheckpointImportAutoConfiguration {

	private static final String REDIS_FACTORY = "org.springframework.data.redis.connection.ReactiveRedisConnectionFactory";

	private static final String DYNAMODB_CLIENT = "software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient";

	@Bean
	static BeanPostProcessor kinesisCheckpointImporter(ObjectProvider<KinesisProperties> properties,
			ObjectProvider<AwsClientDefaults> awsDefaults, ObjectProvider<DynamoDbAsyncClientCustomizer> customizers,
			org.springframework.beans.factory.BeanFactory beanFactory) {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (!(bean instanceof CheckpointerFactory factory)) {
					return bean;
				}
				KinesisProperties.Checkpoint checkpoint = properties.getObject().getCheckpoint();
				Function<String, AsyncKinesisCheckpointSource> sources = sources(properties.getObject(), beanFactory,
						awsDefaults, customizers);
				return new ImportingCheckpointerFactory(factory, sources, checkpoint);
			}
		};
	}

	private static Function<String, AsyncKinesisCheckpointSource> sources(KinesisProperties properties,
			org.springframework.beans.factory.BeanFactory beanFactory, ObjectProvider<AwsClientDefaults> awsDefaults,
			ObjectProvider<DynamoDbAsyncClientCustomizer> customizers) {
		KinesisProperties.Checkpoint checkpoint = properties.getCheckpoint();
		ClassLoader classLoader = KinesisCheckpointImportAutoConfiguration.class.getClassLoader();
		return switch (checkpoint.getImportFrom()) {
			case REDIS -> {
				if (!ClassUtils.isPresent(REDIS_FACTORY, classLoader)) {
					throw new InvalidKinesisPropertyException("kinesis.checkpoint.import-from", "redis",
							"Spring Data Redis is not on the classpath; add spring-boot-starter-data-redis and point "
									+ "spring.data.redis.* at the Redis async-kinesis used");
				}
				ReactiveRedisConnectionFactory redis = beanFactory.getBeanProvider(ReactiveRedisConnectionFactory.class)
					.getIfUnique();
				if (redis == null) {
					throw new InvalidKinesisPropertyException("kinesis.checkpoint.import-from", "redis",
							"there is no Redis connection factory; add spring-boot-starter-data-redis and point "
									+ "spring.data.redis.* at the Redis async-kinesis used");
				}
				yield (name) -> new RedisAsyncKinesisCheckpoints(redis, name);
			}
			case DYNAMODB -> {
				if (!ClassUtils.isPresent(DYNAMODB_CLIENT, classLoader)) {
					throw new InvalidKinesisPropertyException("kinesis.checkpoint.import-from", "dynamodb",
							"the AWS SDK DynamoDB client is not on the classpath; add software.amazon.awssdk:dynamodb");
				}
				yield dynamoDbSources(properties, awsDefaults,
						beanFactory.getBeanProvider(KinesisConnectionDetails.class).getIfAvailable(), customizers);
			}
		};
	}

	private static Function<String, AsyncKinesisCheckpointSource> dynamoDbSources(KinesisProperties properties,
			ObjectProvider<AwsClientDefaults> awsDefaults, KinesisConnectionDetails connectionDetails,
			ObjectProvider<DynamoDbAsyncClientCustomizer> customizers) {
		KinesisProperties.Checkpoint checkpoint = properties.getCheckpoint();
		DynamoDbAsyncClient[] client = new DynamoDbAsyncClient[1];
		return (name) -> {
			synchronized (client) {
				if (client[0] == null) {
					DynamoDbAsyncClientBuilder builder = DynamoDbAsyncClient.builder();
					KinesisClientSettings.Connection connection = KinesisClientSettings.Connection.dynamoDb(properties,
							connectionDetails);
					if (checkpoint.getImportEndpoint() != null) {
						connection = connection.withEndpoint(checkpoint.getImportEndpoint());
					}
					KinesisClientSettings.apply(connection, builder, awsDefaults.getIfAvailable(), 0);
					customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
					client[0] = KinesisClientSettings.build(connection, builder);
				}
			}
			String table = StringUtils.hasText(checkpoint.getImportTable()) ? checkpoint.getImportTable()
					: DynamoDbAsyncKinesisCheckpoints.tableName(name);
			return new DynamoDbAsyncKinesisCheckpoints(client[0], table);
		};
	}

	/**
	 * Imports into each group and stream's store before handing out its first
	 * checkpointer.
	 */
	static final class ImportingCheckpointerFactory implements CheckpointerFactory {

		private final CheckpointerFactory delegate;

		private final Function<String, AsyncKinesisCheckpointSource> sources;

		private final KinesisProperties.Checkpoint settings;

		private final Set<String> imported = ConcurrentHashMap.newKeySet();

		ImportingCheckpointerFactory(CheckpointerFactory delegate,
				Function<String, AsyncKinesisCheckpointSource> sources, KinesisProperties.Checkpoint settings) {
			this.delegate = delegate;
			this.sources = sources;
			this.settings = settings;
		}

		@Override
		public Checkpointer create(String applicationName, String streamName) {
			Checkpointer checkpointer = this.delegate.create(applicationName, streamName);
			if (this.imported.add(applicationName + "\n" + streamName)) {
				String name = StringUtils.hasText(this.settings.getImportName()) ? this.settings.getImportName()
						: applicationName;
				try {
					AsyncKinesisCheckpointImporter.builder(this.sources.apply(name))
						.sessionTimeout(this.settings.getImportSessionTimeout())
						.force(this.settings.isImportForce())
						.build()
						.importInto(checkpointer)
						.join();
				}
				catch (CompletionException ex) {
					this.imported.remove(applicationName + "\n" + streamName);
					checkpointer.close();
					throw (ex.getCause() instanceof RuntimeException cause) ? cause : ex;
				}
				catch (RuntimeException ex) {
					this.imported.remove(applicationName + "\n" + streamName);
					checkpointer.close();
					throw ex;
				}
			}
			return checkpointer;
		}

	}

}
