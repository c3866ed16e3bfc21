package dev.kinesisboot.autoconfigure;

import java.net.URI;

import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.metrics.MicrometerMetricsCollector;
import dev.kinesisboot.metrics.NoOpMetricsCollector;
import dev.kinesisboot.aggregation.RecordFormat;
import dev.kinesisboot.producer.DefaultPayloadSerializer;
import dev.kinesisboot.producer.FormatPayloadSerializer;
import dev.kinesisboot.producer.KinesisOperations;
import dev.kinesisboot.producer.KinesisProducer;
import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.producer.KinesisTemplateObservationConvention;
import dev.kinesisboot.producer.PayloadSerializer;
import dev.kinesisboot.producer.ProducerOptions;
import io.awspring.cloud.autoconfigure.AwsAsyncClientCustomizer;
import io.awspring.cloud.autoconfigure.AwsClientCustomizer;
import io.awspring.cloud.autoconfigure.core.AwsClientBuilderConfigurer;
import io.awspring.cloud.autoconfigure.core.AwsConnectionDetails;
import io.awspring.cloud.autoconfigure.core.AwsProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;

/**
 * Auto-configures the Kinesis client (connected as a {@link KinesisConnectionDetails}
 * bean says, else as the {@code kinesis.*} properties and Spring Cloud AWS say), the
 * metrics collector, {@link KinesisTemplate} (the application's
 * {@link KinesisOperations}) and, when {@code kinesis.producer.stream-name} is set, a
 * {@link KinesisProducer}. With {@code kinesis.producer.observation-enabled=true} and an
 * {@link ObservationRegistry} bean, the template's sends are observed.
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
			ObjectProvider<KinesisConnectionDetails> connectionDetails,
			ObjectProvider<KinesisAsyncClientCustomizer> customizers) {
		KinesisAsyncClientBuilder builder = KinesisAsyncClient.builder();
		if (properties.getMaxConcurrency() < 1) {
			throw new InvalidKinesisPropertyException("kinesis.max-concurrency", properties.getMaxConcurrency(),
					"it must be a positive number of concurrent requests");
		}
		KinesisClientSettings.Connection connection = KinesisClientSettings.Connection.kinesis(properties,
				connectionDetails.getIfAvailable());
		KinesisClientSettings.apply(connection, builder, awsDefaults.getIfAvailable(), properties.getMaxConcurrency());
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		return KinesisClientSettings.build(connection, builder);
	}

	// also the application's KinesisOperations; one of its own replaces it
	@Bean
	@ConditionalOnMissingBean(KinesisOperations.class)
	KinesisTemplate kinesisTemplate(KinesisAsyncClient kinesisAsyncClient, KinesisProperties properties,
			MetricsCollector kinesisMetricsCollector, ObjectProvider<JsonMapper> jsonMapper,
			ObjectProvider<ObservationRegistry> observationRegistry,
			ObjectProvider<KinesisTemplateObservationConvention> observationConvention) {
		JsonMapper mapper = jsonMapper.getIfAvailable(() -> JsonMapper.builder().build());
		RecordFormat format = properties.getProducer().getFormat();
		ProducerOptions options = KinesisOptionsMapper.producerOptions(properties.getProducer());
		if (format != null && format != RecordFormat.KPL && format != RecordFormat.JSON
				&& options.aggregationEnabled()) {
			throw new InvalidKinesisPropertyException("kinesis.producer.format", format.name(),
					"kinesis.producer.aggregation-enabled=true packs records into KPL aggregates, which a consumer of "
							+ format.name() + " records cannot read; turn aggregation off, or use format KPL");
		}
		KinesisTemplate template = new KinesisTemplate(kinesisAsyncClient, options, kinesisMetricsCollector,
				serializer(format, mapper));
		if (properties.getProducer().isObservationEnabled()) {
			observationRegistry.ifUnique(template::setObservationRegistry);
			observationConvention.ifUnique(template::setObservationConvention);
		}
		return template;
	}

	private static PayloadSerializer serializer(RecordFormat format, JsonMapper mapper) {
		if (format == null) {
			return new DefaultPayloadSerializer(mapper);
		}
		try {
			return new FormatPayloadSerializer(format, mapper);
		}
		catch (IllegalStateException ex) {
			throw new InvalidKinesisPropertyException("kinesis.producer.format", format.name(), ex.getMessage());
		}
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
		AwsClientDefaults kinesisSpringCloudAwsDefaults(ObjectProvider<AwsClientBuilderConfigurer> configurer,
				ObjectProvider<AwsConnectionDetails> connectionDetails, ObjectProvider<AwsProperties> awsProperties) {
			return new AwsClientDefaults() {

				@Override
				public <T extends AwsClientBuilder<T, ?>> void apply(T builder) {
					configurer.ifAvailable((available) -> {
						try {
							available.configure(builder, null, connectionDetails.getIfAvailable());
						}
						catch (SdkClientException ex) {
							// no region in spring.cloud.aws.* nor the default chain:
							// kinesis.region may still give one, else the build explains
							// what to set
						}
					});
				}

				@Override
				public URI endpoint() {
					AwsConnectionDetails details = connectionDetails.getIfAvailable();
					if (details != null && details.getEndpoint() != null) {
						return details.getEndpoint();
					}
					AwsProperties properties = awsProperties.getIfAvailable();
					return (properties != null) ? properties.getEndpoint() : null;
				}

			};
		}

		/**
		 * Spring Cloud AWS's client customizers (for every async client, and for the
		 * Kinesis client builder) apply to the Kinesis client, before the application's
		 * own {@link KinesisAsyncClientCustomizer}s.
		 */
		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		KinesisAsyncClientCustomizer kinesisSpringCloudAwsCustomizers(
				ObjectProvider<AwsAsyncClientCustomizer> asyncCustomizers,
				ObjectProvider<AwsClientCustomizer<KinesisAsyncClientBuilder>> kinesisCustomizers) {
			return (builder) -> {
				asyncCustomizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
				kinesisCustomizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
			};
		}

	}

}
