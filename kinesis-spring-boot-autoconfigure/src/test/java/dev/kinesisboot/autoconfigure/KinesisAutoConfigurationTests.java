package dev.kinesisboot.autoconfigure;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.checkpoint.CheckpointerFactory;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.consumer.FanOutUnavailableException;
import dev.kinesisboot.listener.DefaultKinesisListenerContainerFactory;
import dev.kinesisboot.listener.KinesisListenerAnnotationBeanPostProcessor;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.metrics.MicrometerMetricsCollector;
import dev.kinesisboot.metrics.NoOpMetricsCollector;
import dev.kinesisboot.producer.KinesisProducer;
import dev.kinesisboot.producer.KinesisOperations;
import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.producer.PutResult;
import io.awspring.cloud.autoconfigure.core.AwsAutoConfiguration;
import io.awspring.cloud.autoconfigure.core.CredentialsProviderAutoConfiguration;
import io.awspring.cloud.autoconfigure.core.RegionProviderAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import static org.assertj.core.api.Assertions.assertThat;

class KinesisAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KinesisAutoConfiguration.class,
				KinesisCheckpointAutoConfiguration.class, KinesisListenerAutoConfiguration.class))
		.withPropertyValues("kinesis.region=us-east-1", "kinesis.endpoint=http://127.0.0.1:1",
				"kinesis.credentials.access-key=local", "kinesis.credentials.secret-key=local");

	@Test
	void clientTemplateCheckpointsAndListenerInfrastructureAreConfigured() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(KinesisAsyncClient.class)
				.hasSingleBean(KinesisTemplate.class)
				.hasSingleBean(CheckpointerFactory.class)
				.hasSingleBean(KinesisListenerEndpointRegistry.class)
				.hasSingleBean(KinesisListenerAnnotationBeanPostProcessor.class)
				.hasBean("kinesisListenerContainerFactory")
				.doesNotHaveBean(KinesisProducer.class);
			KinesisAsyncClient client = context.getBean(KinesisAsyncClient.class);
			assertThat(client.serviceClientConfiguration().region()).isEqualTo(Region.US_EAST_1);
			assertThat(client.serviceClientConfiguration().endpointOverride())
				.contains(URI.create("http://127.0.0.1:1"));
			assertThat(context.getBean(CheckpointerFactory.class).create("app", "orders"))
				.isInstanceOf(MemoryCheckpointer.class);
			assertThat(context.getBean(DefaultKinesisListenerContainerFactory.class)).isNotNull();
		});
	}

	@Test
	void templateIsTheApplicationsKinesisOperationsAndAUserOneReplacesIt() {
		this.runner.run((context) -> assertThat(context.getBean(KinesisOperations.class))
			.isSameAs(context.getBean(KinesisTemplate.class)));
		this.runner.withUserConfiguration(UserOperationsConfiguration.class)
			.withPropertyValues("kinesis.producer.stream-name=orders")
			.run((context) -> assertThat(context).hasSingleBean(KinesisOperations.class)
				.doesNotHaveBean(KinesisTemplate.class)
				.doesNotHaveBean(KinesisProducer.class)
				.hasBean("kinesisListenerContainerFactory"));
	}

	@Test
	void producerBeanIsCreatedWithoutReadingTheStream() {
		// the endpoint answers nothing: building the bean must not call it
		this.runner.withPropertyValues("kinesis.producer.stream-name=orders")
			.run((context) -> assertThat(context).hasNotFailed()
				.getBean(KinesisProducer.class)
				.satisfies((producer) -> assertThat(producer.streamName()).isEqualTo("orders")));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserOperationsConfiguration {

		@Bean
		KinesisOperations myKinesisOperations() {
			return new KinesisOperations() {

				@Override
				public CompletableFuture<PutResult> send(String stream, Object payload) {
					return CompletableFuture.completedFuture(new PutResult("shardId-000000000000", "1", 0));
				}

				@Override
				public CompletableFuture<PutResult> send(String stream, String partitionKey, Object payload) {
					return send(stream, payload);
				}

				@Override
				public CompletableFuture<Void> flush() {
					return CompletableFuture.completedFuture(null);
				}

			};
		}

	}

	@Test
	void userClientWins() {
		this.runner.withUserConfiguration(UserClientConfiguration.class)
			.run((context) -> assertThat(context.getBean(KinesisAsyncClient.class))
				.isSameAs(context.getBean("myKinesisClient")));
	}

	@Test
	void customizersRunInOrderAfterTheProperties() {
		this.runner.withUserConfiguration(CustomizerConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(CustomizerConfiguration.class).calls).containsExactly("first", "second");
			assertThat(context.getBean(KinesisAsyncClient.class).serviceClientConfiguration().region())
				.isEqualTo(Region.EU_WEST_1);
		});
	}

	@Test
	void metricsAreMicrometerBackedWhenARegistryExists() {
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.run((context) -> assertThat(context.getBean(MetricsCollector.class))
				.isInstanceOf(MicrometerMetricsCollector.class));
	}

	@Test
	void metricsAreNoOpWithoutARegistryWhenDisabledOrWithoutMicrometer() {
		this.runner.run((context) -> assertThat(context.getBean(MetricsCollector.class))
			.isSameAs(NoOpMetricsCollector.INSTANCE));
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("kinesis.metrics.enabled=false")
			.run((context) -> assertThat(context.getBean(MetricsCollector.class))
				.isSameAs(NoOpMetricsCollector.INSTANCE));
		this.runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context.getBean(MetricsCollector.class))
				.isSameAs(NoOpMetricsCollector.INSTANCE));
	}

	@Test
	void userMetricsCollectorWins() {
		MetricsCollector mine = new dev.kinesisboot.metrics.InMemoryMetricsCollector();
		this.runner.withBean(MetricsCollector.class, () -> mine)
			.run((context) -> assertThat(context.getBean(MetricsCollector.class)).isSameAs(mine));
	}

	@Test
	void springCloudAwsRegionIsUsedUnlessKinesisRegionIsSet() {
		ApplicationContextRunner withCloudAws = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CredentialsProviderAutoConfiguration.class,
					RegionProviderAutoConfiguration.class, AwsAutoConfiguration.class, KinesisAutoConfiguration.class,
					KinesisCheckpointAutoConfiguration.class, KinesisListenerAutoConfiguration.class))
			.withPropertyValues("spring.cloud.aws.region.static=eu-central-1",
					"spring.cloud.aws.credentials.access-key=a", "spring.cloud.aws.credentials.secret-key=b",
					"kinesis.endpoint=http://127.0.0.1:1");
		withCloudAws.run(
				(context) -> assertThat(context.getBean(KinesisAsyncClient.class).serviceClientConfiguration().region())
					.isEqualTo(Region.EU_CENTRAL_1));
		withCloudAws.withPropertyValues("kinesis.region=ap-south-1")
			.run((context) -> assertThat(
					context.getBean(KinesisAsyncClient.class).serviceClientConfiguration().region())
				.isEqualTo(Region.AP_SOUTH_1));
	}

	@Test
	void worksWithoutSpringCloudAws() {
		this.runner.withClassLoader(new FilteredClassLoader("io.awspring.cloud"))
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(KinesisAsyncClient.class));
	}

	@Test
	void batchSizeOver500FailsWithAReadableMessage() {
		this.runner.withPropertyValues("kinesis.producer.max-batch-records=501")
			.run((context) -> assertThat(analyze(context.getStartupFailure())).satisfies((analysis) -> {
				assertThat(analysis.getDescription()).contains("'501'", "kinesis.producer.max-batch-records",
						"between 1 and 500");
				assertThat(analysis.getAction()).contains("kinesis.producer.max-batch-records");
			}));
	}

	@Test
	void negativeDurationsAndSizesFailWithAReadableMessage() {
		this.runner.withPropertyValues("kinesis.producer.buffer-time=-1s")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("kinesis.producer.buffer-time", "positive"));
		this.runner.withPropertyValues("kinesis.producer.max-queue-size=-5")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("kinesis.producer.max-queue-size", "at least 1"));
		this.runner.withPropertyValues("kinesis.consumer.lease-duration=0s")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("kinesis.consumer.lease-duration"));
	}

	@Test
	void redisStoreWithoutRedisOnTheClasspathFailsWithTheFix() {
		this.runner.withPropertyValues("kinesis.checkpoint.store=redis")
			.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("kinesis.checkpoint.store", "spring-boot-starter-data-redis"));
	}

	@Test
	void dynamoDbStoreWithoutTheSdkFailsWithTheFix() {
		this.runner.withPropertyValues("kinesis.checkpoint.store=dynamodb")
			.withClassLoader(new FilteredClassLoader("software.amazon.awssdk.services.dynamodb"))
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("kinesis.checkpoint.store", "software.amazon.awssdk:dynamodb"));
	}

	@Test
	void unknownCheckpointStoreFailsToBind() {
		this.runner.withPropertyValues("kinesis.checkpoint.store=cassandra")
			.run((context) -> assertThat(context.getStartupFailure())
				.hasStackTraceContaining("kinesis.checkpoint.store")
				.hasStackTraceContaining("cassandra"));
	}

	@Test
	void halfStaticCredentialsFailWithAReadableMessage() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(KinesisAutoConfiguration.class))
			.withPropertyValues("kinesis.region=us-east-1", "kinesis.credentials.access-key=only-this")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("kinesis.credentials.secret-key"));
	}

	@Test
	void fanOutThatCannotBeSetUpIsExplainedWithThePropertyThatSwitchesItOff() {
		FailureAnalysis analysis = new KinesisFailureAnalyzers.FanOutUnavailable()
			.analyze(new IllegalStateException("start failed", new FanOutUnavailableException(
					"Could not register stream consumer 'app' of stream 'orders' for enhanced fan-out: denied", null)));
		assertThat(analysis.getDescription()).contains("stream consumer 'app'");
		assertThat(analysis.getAction()).contains("kinesis.consumer.mode=polling");
	}

	private static FailureAnalysis analyze(Throwable failure) {
		assertThat(failure).isNotNull();
		Throwable cause = failure;
		while (cause != null && !(cause instanceof InvalidKinesisPropertyException)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("InvalidKinesisPropertyException in " + failure).isNotNull();
		return new KinesisFailureAnalyzers.InvalidProperty().analyze(failure);
	}

	@Configuration(proxyBeanMethods = false)
	static class UserClientConfiguration {

		@Bean
		KinesisAsyncClient myKinesisClient() {
			return KinesisAsyncClient.builder()
				.region(Region.US_WEST_2)
				.endpointOverride(URI.create("http://127.0.0.1:2"))
				.credentialsProvider(() -> software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("a", "b"))
				.build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		final List<String> calls = new ArrayList<>();

		@Bean
		@Order(2)
		KinesisAsyncClientCustomizer second() {
			return (builder) -> {
				this.calls.add("second");
				builder.region(Region.EU_WEST_1);
			};
		}

		@Bean
		@Order(1)
		KinesisAsyncClientCustomizer first() {
			return (builder) -> this.calls.add("first");
		}

	}

}
