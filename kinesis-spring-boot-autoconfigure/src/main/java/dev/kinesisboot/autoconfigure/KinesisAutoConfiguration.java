package dev.kinesisboot.autoconfigure;

import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.metrics.MicrometerMetricsCollector;
import dev.kinesisboot.metrics.NoOpMetricsCollector;
import dev.kinesisboot.producer.DefaultPayloadSerializer;
import dev.kinesisboot.producer.KinesisOperations;
import dev.kinesisboot.producer.KinesisProducer;
import dev.kinesisboot.producer.KinesisTemplate;
import io.awspring.cloud.autoconfigure.core.AwsClientBuilderConfigurer;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;

/**
 * Auto-configures the Kinesis client, the metrics collector, {@link KinesisTemplate} (the
 * application's {@link KinesisOperations}) and, when {@code kinesis.producer.stream-name}
 * is set, a {@link KinesisProducer}.
 */
@AutoConfiguration(afterName = {
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
		"io.awspring.cloud.autoconfigure.core.CredentialsProviderAutoConfiguration",
		"io.awspring.cloud.autoconfigure.core.RegionProviderAutoConfiguration" })
@ConditionalOnClass(KinesisAsyncClient.class)
@EnableConfigurationProperties(KinesisProperties.class)
public class KinesisAutoConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	KinesisAsyncClient kinesisAsyncClient(KinesisProperties properties, ObjectProvider<AwsClientDefaults> awsDefaults,
			ObjectProvider<KinesisAsyncClientCustomizer> customizers, ObjectProvider<LocalKinesisEmulator> emulator) {
		KinesisAsyncClientBuilder builder = KinesisAsyncClient.builder();
		awsDefaults.ifAvailable((defaults) -> defaults.apply(builder));
		LocalKinesisEmulator localEmulator = emulator.getIfAvailable();
		if (properties.getMaxConcurrency() < 1) {
			throw new InvalidKinesisPropertyException("kinesis.max-concurrency", properties.getMaxConcurrency(),
					"it must be a positive number of concurrent requests");
		}
		KinesisClientSettings.apply(properties, builder,
				(localEmulator != null) ? localEmulator.endpoint() : properties.getEndpoint(),
				properties.getMaxConcurrency());
		if (localEmulator != null) {
			if (properties.getRegion() == null) {
				builder.region(Region.US_EAST_1);
			}
			if (properties.getCredentials().getAccessKey() == null) {
				builder.credentialsProvider(
						StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
			}
		}
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		return KinesisClientSettings.build(properties, builder);
	}

	// only when no endpoint is configured: a configured endpoint always wins
	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	@ConditionalOnExpression("${kinesis.local-emulator.enabled:false} and '${kinesis.endpoint:}'.isEmpty()")
	LocalKinesisEmulator kinesisLocalEmulator(KinesisProperties properties) {
		KinesisProperties.LocalEmulator settings = properties.getLocalEmulator();
		return new LocalKinesisEmulator(java.nio.file.Path.of(settings.getCacheDirectory()), settings.getPort());
	}

	// also the application's KinesisOperations; one of its own replaces it
	@Bean
	@ConditionalOnMissingBean(KinesisOperations.class)
	KinesisTemplate kinesisTemplate(KinesisAsyncClient kinesisAsyncClient, KinesisProperties properties,
			MetricsCollector kinesisMetricsCollector, ObjectProvider<JsonMapper> jsonMapper) {
		return new KinesisTemplate(kinesisAsyncClient, KinesisOptionsMapper.producerOptions(properties.getProducer()),
				kinesisMetricsCollector,
				new DefaultPayloadSerializer(jsonMapper.getIfAvailable(() -> JsonMapper.builder().build())));
	}

	// the template creates and closes it
	@Bean(destroyMethod = "")
	@ConditionalOnMissingBean
	@ConditionalOnBean(KinesisTemplate.class)
	@ConditionalOnProperty("kinesis.producer.stream-name")
	KinesisProducer kinesisProducer(KinesisTemplate kinesisTemplate, KinesisProperties properties) {
		return kinesisTemplate.producer(properties.getProducer().getStreamName());
	}

	@Bean
	@ConditionalOnMissingBean
	MetricsCollector kinesisMetricsCollector(KinesisProperties properties,
			ObjectProvider<MeterCollectorFactory> micrometer) {
		if (!properties.getMetrics().isEnabled()) {
			return NoOpMetricsCollector.INSTANCE;
		}
		MeterCollectorFactory factory = micrometer.getIfAvailable();
		return (factory != null) ? factory.create(properties.getMetrics().getNamespace())
				: NoOpMetricsCollector.INSTANCE;
	}

	/**
	 * Makes the metrics collector Micrometer-backed when the application has a
	 * MeterRegistry.
	 */
	@FunctionalInterface
	interface MeterCollectorFactory {

		MetricsCollector create(String namespace);

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MicrometerConfiguration {

		@Bean
		MeterCollectorFactory kinesisMeterCollectorFactory(ObjectProvider<MeterRegistry> meterRegistry) {
			return (namespace) -> {
				MeterRegistry registry = meterRegistry.getIfUnique();
				if (registry == null) {
					return NoOpMetricsCollector.INSTANCE;
				}
				try {
					return new MicrometerMetricsCollector(registry, namespace);
				}
				catch (IllegalArgumentException ex) {
					throw new InvalidKinesisPropertyException("kinesis.metrics.namespace", namespace, ex.getMessage());
				}
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(AwsClientBuilderConfigurer.class)
	static class SpringCloudAwsConfiguration {

		@Bean
		AwsClientDefaults kinesisSpringCloudAwsDefaults(ObjectProvider<AwsClientBuilderConfigurer> configurer) {
			return new AwsClientDefaults() {

				@Override
				public <T extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<T, ?>> void apply(
						T builder) {
					configurer.ifAvailable((available) -> {
						try {
							available.configure(builder);
						}
						catch (SdkClientException ex) {
							// no region in spring.cloud.aws.* nor the default chain:
							// kinesis.region may
							// still provide one, else the build below explains what to
							// set
						}
					});
				}

			};
		}

	}

}
