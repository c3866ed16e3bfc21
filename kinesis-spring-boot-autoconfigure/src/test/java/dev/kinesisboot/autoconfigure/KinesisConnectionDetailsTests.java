package dev.kinesisboot.autoconfigure;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import dev.kinesisboot.checkpoint.CheckpointerFactory;
import io.awspring.cloud.autoconfigure.AwsAsyncClientCustomizer;
import io.awspring.cloud.autoconfigure.AwsClientCustomizer;
import io.awspring.cloud.autoconfigure.core.AwsAutoConfiguration;
import io.awspring.cloud.autoconfigure.core.AwsConnectionDetails;
import io.awspring.cloud.autoconfigure.core.CredentialsProviderAutoConfiguration;
import io.awspring.cloud.autoconfigure.core.RegionProviderAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import software.amazon.awssdk.awscore.AwsServiceClientConfiguration;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the clients connect: a {@link KinesisConnectionDetails} bean before the
 * {@code kinesis.*} properties, Spring Cloud AWS's {@code AwsConnectionDetails} and
 * client customizers honoured, and plain-http endpoints spoken to over HTTP/1.1 whichever
 * way they were given.
 */
class KinesisConnectionDetailsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(KinesisAutoConfiguration.class, KinesisCheckpointAutoConfiguration.class))
		.withPropertyValues("kinesis.region=us-east-1", "kinesis.endpoint=http://127.0.0.1:1");

	private final ApplicationContextRunner withCloudAws = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CredentialsProviderAutoConfiguration.class,
				RegionProviderAutoConfiguration.class, AwsAutoConfiguration.class, KinesisAutoConfiguration.class,
				KinesisCheckpointAutoConfiguration.class));

	@Test
	void kinesisConnectionDetailsWinOverTheProperties() {
		this.runner
			.withPropertyValues("kinesis.credentials.access-key=from-properties",
					"kinesis.credentials.secret-key=from-properties")
			.withBean(KinesisConnectionDetails.class, () -> details("http://127.0.0.1:7", "eu-west-3", "cd-key"))
			.run((context) -> {
				AwsServiceClientConfiguration client = context.getBean(KinesisAsyncClient.class)
					.serviceClientConfiguration();
				assertThat(client.endpointOverride()).contains(URI.create("http://127.0.0.1:7"));
				assertThat(client.region()).isEqualTo(Region.EU_WEST_3);
				assertThat(accessKey(client.credentialsProvider())).isEqualTo("cd-key");
			});
	}

	@Test
	void whatTheConnectionDetailsLeaveOpenComesFromTheProperties() {
		this.runner
			.withPropertyValues("kinesis.credentials.access-key=from-properties",
					"kinesis.credentials.secret-key=from-properties")
			.withBean(KinesisConnectionDetails.class, () -> () -> URI.create("http://127.0.0.1:8"))
			.run((context) -> {
				AwsServiceClientConfiguration client = context.getBean(KinesisAsyncClient.class)
					.serviceClientConfiguration();
				assertThat(client.endpointOverride()).contains(URI.create("http://127.0.0.1:8"));
				assertThat(client.region()).isEqualTo(Region.US_EAST_1);
				assertThat(accessKey(client.credentialsProvider())).isEqualTo("from-properties");
			});
	}

	@Test
	void theDynamoDbCheckpointStoreUsesTheDynamoDbEndpointOfTheConnectionDetails() {
		this.runner
			.withPropertyValues("kinesis.checkpoint.store=dynamodb", "kinesis.checkpoint.dynamodb.create-table=true",
					"kinesis.checkpoint.dynamodb.endpoint=http://127.0.0.1:2")
			.withBean(KinesisConnectionDetails.class, () -> new KinesisConnectionDetails() {

				@Override
				public URI getEndpoint() {
					return URI.create("http://127.0.0.1:7");
				}

				@Override
				public URI getDynamoDbEndpoint() {
					return URI.create("http://127.0.0.1:9");
				}

			})
			.withBean(CheckpointerFactory.class, KinesisConnectionDetailsTests::unusedCheckpointerFactory)
			.run((context) -> assertThat(context.getBean("kinesisCheckpointDynamoDbClient", DynamoDbAsyncClient.class)
				.serviceClientConfiguration()
				.endpointOverride()).contains(URI.create("http://127.0.0.1:9")));
	}

	@Test
	void springCloudAwsConnectionDetailsAreHonouredWhenNoKinesisEndpointIsSet() {
		this.withCloudAws.withBean(AwsConnectionDetails.class, () -> new AwsConnectionDetails() {

			@Override
			public URI getEndpoint() {
				return URI.create("http://127.0.0.1:5");
			}

			@Override
			public String getRegion() {
				return "ap-northeast-1";
			}

			@Override
			public String getAccessKey() {
				return "aws-key";
			}

			@Override
			public String getSecretKey() {
				return "aws-secret";
			}

		}).run((context) -> {
			AwsServiceClientConfiguration client = context.getBean(KinesisAsyncClient.class)
				.serviceClientConfiguration();
			assertThat(client.endpointOverride()).contains(URI.create("http://127.0.0.1:5"));
			assertThat(client.region()).isEqualTo(Region.AP_NORTHEAST_1);
			assertThat(accessKey(client.credentialsProvider())).isEqualTo("aws-key");
		});
	}

	@Test
	void springCloudAwsClientCustomizersApplyToTheKinesisAndDynamoDbClientsBeforeOurOwn() {
		this.withCloudAws
			.withPropertyValues("spring.cloud.aws.region.static=eu-central-1",
					"spring.cloud.aws.credentials.access-key=a", "spring.cloud.aws.credentials.secret-key=b",
					"kinesis.endpoint=http://127.0.0.1:1", "kinesis.checkpoint.store=dynamodb",
					"kinesis.checkpoint.dynamodb.endpoint=http://127.0.0.1:2")
			.withUserConfiguration(Customizers.class)
			.withBean(CheckpointerFactory.class, KinesisConnectionDetailsTests::unusedCheckpointerFactory)
			.run((context) -> {
				context.getBean(KinesisAsyncClient.class);
				context.getBean("kinesisCheckpointDynamoDbClient", DynamoDbAsyncClient.class);
				assertThat(context.getBean(Customizers.class).calls).containsExactlyInAnyOrder(
						"any async: KinesisAsyncClientBuilder", "kinesis", "ours: kinesis",
						"any async: DynamoDbAsyncClientBuilder", "dynamodb");
				assertThat(context.getBean(Customizers.class).calls).containsSubsequence("kinesis", "ours: kinesis");
			});
	}

	@Test
	void aPlainHttpEndpointMeansHttp1WhicheverWayItWasGiven() {
		KinesisClientSettings.Connection none = new KinesisClientSettings.Connection(null, null, null, null);
		KinesisClientSettings.Connection own = none.withEndpoint(URI.create("http://127.0.0.1:4567"));
		assertThat(KinesisClientSettings.plainHttpEndpoint(own, null)).isEqualTo(URI.create("http://127.0.0.1:4567"));
		assertThat(KinesisClientSettings.plainHttpEndpoint(none, URI.create("http://localstack:4566")))
			.as("from Spring Cloud AWS")
			.isEqualTo(URI.create("http://localstack:4566"));
		assertThat(KinesisClientSettings.plainHttpEndpoint(none.withEndpoint(URI.create("https://kinesis.example")),
				URI.create("http://localstack:4566")))
			.as("our own endpoint decides")
			.isNull();
		assertThat(KinesisClientSettings.plainHttpEndpoint(none, null)).isNull();
	}

	private static KinesisConnectionDetails details(String endpoint, String region, String accessKey) {
		return new KinesisConnectionDetails() {

			@Override
			public URI getEndpoint() {
				return URI.create(endpoint);
			}

			@Override
			public String getRegion() {
				return region;
			}

			@Override
			public String getAccessKey() {
				return accessKey;
			}

			@Override
			public String getSecretKey() {
				return "secret";
			}

		};
	}

	/**
	 * Replaces the DynamoDB store, whose start-up table check needs a server: only the
	 * clients matter here.
	 */
	private static CheckpointerFactory unusedCheckpointerFactory() {
		return (application, stream) -> {
			throw new UnsupportedOperationException("not used");
		};
	}

	private static String accessKey(IdentityProvider<? extends AwsCredentialsIdentity> provider) {
		return provider.resolveIdentity().join().accessKeyId();
	}

	@Configuration(proxyBeanMethods = false)
	static class Customizers {

		final List<String> calls = new ArrayList<>();

		@Bean
		AwsAsyncClientCustomizer anyAsync() {
			return (builder) -> this.calls
				.add("any async: " + builder.getClass().getSimpleName().replace("Default", ""));
		}

		@Bean
		AwsClientCustomizer<KinesisAsyncClientBuilder> kinesis() {
			return (builder) -> this.calls.add("kinesis");
		}

		@Bean
		AwsClientCustomizer<DynamoDbAsyncClientBuilder> dynamoDb() {
			return (builder) -> this.calls.add("dynamodb");
		}

		@Bean
		KinesisAsyncClientCustomizer ours() {
			return (builder) -> this.calls.add("ours: kinesis");
		}

	}

}
