package dev.kinesisboot.autoconfigure;

import java.net.URI;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsAsyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * Applies {@code kinesis.region}, {@code kinesis.credentials.*} and an endpoint to any
 * async AWS client builder (Kinesis, and DynamoDB for checkpoints), and builds it with a
 * readable error.
 */
final class KinesisClientSettings {

	private KinesisClientSettings() {
	}

	static <B extends AwsClientBuilder<B, ?> & AwsAsyncClientBuilder<B, ?>> void apply(KinesisProperties properties,
			B builder, URI endpoint) {
		apply(properties, builder, endpoint, 0);
	}

	/**
	 * Applies the settings.
	 * @param properties the properties
	 * @param builder the client builder
	 * @param endpoint the endpoint, or {@code null} for AWS
	 * @param maxConcurrency most concurrent requests, or 0 for the SDK's default
	 */
	static <B extends AwsClientBuilder<B, ?> & AwsAsyncClientBuilder<B, ?>> void apply(KinesisProperties properties,
			B builder, URI endpoint, int maxConcurrency) {
		if (properties.getRegion() != null) {
			builder.region(Region.of(properties.getRegion()));
		}
		NettyNioAsyncHttpClient.Builder http = null;
		if (maxConcurrency > 0) {
			http = NettyNioAsyncHttpClient.builder().maxConcurrency(maxConcurrency);
		}
		if (endpoint != null) {
			builder.endpointOverride(endpoint);
			if ("http".equalsIgnoreCase(endpoint.getScheme())) {
				// plain HTTP means a local emulator: AWS serves HTTPS only, and emulators
				// handle HTTP/1.1 better than HTTP/2 without TLS
				http = (http != null) ? http : NettyNioAsyncHttpClient.builder();
				http.protocol(Protocol.HTTP1_1);
			}
		}
		if (http != null) {
			// the SDK keeps its service defaults (HTTP/2 for Kinesis) for what is not set
			builder.httpClientBuilder(http);
		}
		KinesisProperties.Credentials credentials = properties.getCredentials();
		if (credentials.getAccessKey() != null || credentials.getSecretKey() != null) {
			if (credentials.getAccessKey() == null || credentials.getSecretKey() == null) {
				throw new InvalidKinesisPropertyException("kinesis.credentials",
						(credentials.getAccessKey() != null) ? "access-key only" : "secret-key only",
						"set both kinesis.credentials.access-key and kinesis.credentials.secret-key, or neither to "
								+ "use the AWS default credentials chain");
			}
			builder.credentialsProvider(StaticCredentialsProvider
				.create(AwsBasicCredentials.create(credentials.getAccessKey(), credentials.getSecretKey())));
		}
	}

	static <C> C build(KinesisProperties properties, AwsClientBuilder<?, C> builder) {
		try {
			return builder.build();
		}
		catch (SdkClientException ex) {
			throw new InvalidKinesisPropertyException("kinesis.region", properties.getRegion(),
					"no usable AWS region (" + ex.getMessage()
							+ "); set kinesis.region, spring.cloud.aws.region.static "
							+ "or the AWS_REGION environment variable");
		}
	}

}
