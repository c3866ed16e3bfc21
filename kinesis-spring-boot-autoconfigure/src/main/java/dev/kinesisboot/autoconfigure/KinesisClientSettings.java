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
 * Applies a {@link Connection} (endpoint, region, credentials) to any async AWS client
 * builder (Kinesis, and DynamoDB for checkpoints), and builds it with a readable error.
 */
final class KinesisClientSettings {

	private KinesisClientSettings() {
	}

	/**
	 * Applies the application-wide defaults (Spring Cloud AWS's), then the connection,
	 * which overrides them.
	 * @param connection where and how to connect
	 * @param builder the client builder
	 * @param defaults the application-wide defaults, or {@code null} without Spring Cloud
	 * AWS; a plain {@code http} endpoint they set needs HTTP/1.1 too
	 * @param maxConcurrency most concurrent requests, or 0 for the SDK's default
	 */
	static <B extends AwsClientBuilder<B, ?> & AwsAsyncClientBuilder<B, ?>> void apply(Connection connection, B builder,
			AwsClientDefaults defaults, int maxConcurrency) {
		URI inheritedEndpoint = null;
		if (defaults != null) {
			defaults.apply(builder);
			inheritedEndpoint = defaults.endpoint();
		}
		if (connection.region() != null) {
			builder.region(Region.of(connection.region()));
		}
		NettyNioAsyncHttpClient.Builder http = null;
		if (maxConcurrency > 0) {
			http = NettyNioAsyncHttpClient.builder().maxConcurrency(maxConcurrency);
		}
		if (connection.endpoint() != null) {
			builder.endpointOverride(connection.endpoint());
		}
		if (plainHttpEndpoint(connection, inheritedEndpoint) != null) {
			// plain HTTP means a local emulator: AWS serves HTTPS only, and emulators
			// handle HTTP/1.1 better than HTTP/2 without TLS
			http = (http != null) ? http : NettyNioAsyncHttpClient.builder();
			http.protocol(Protocol.HTTP1_1);
		}
		if (http != null) {
			// the SDK keeps its service defaults (HTTP/2 for Kinesis) for what is not set
			builder.httpClientBuilder(http);
		}
		if (connection.accessKey() != null) {
			builder.credentialsProvider(StaticCredentialsProvider
				.create(AwsBasicCredentials.create(connection.accessKey(), connection.secretKey())));
		}
	}

	/**
	 * The endpoint the client will talk to when it is plain {@code http}: the
	 * connection's own, else the one Spring Cloud AWS set.
	 * @param connection the connection
	 * @param inheritedEndpoint the endpoint Spring Cloud AWS set, or {@code null}
	 * @return the plain-http endpoint, or {@code null} when there is none
	 */
	static URI plainHttpEndpoint(Connection connection, URI inheritedEndpoint) {
		URI endpoint = (connection.endpoint() != null) ? connection.endpoint() : inheritedEndpoint;
		return (endpoint != null && "http".equalsIgnoreCase(endpoint.getScheme())) ? endpoint : null;
	}

	static <C> C build(Connection connection, AwsClientBuilder<?, C> builder) {
		try {
			return builder.build();
		}
		catch (SdkClientException ex) {
			throw new InvalidKinesisPropertyException("kinesis.region", connection.region(),
					"no usable AWS region (" + ex.getMessage()
							+ "); set kinesis.region, spring.cloud.aws.region.static "
							+ "or the AWS_REGION environment variable");
		}
	}

	/**
	 * Where and how one client connects: each value from the connection details when they
	 * give it, else from the {@code kinesis.*} properties; {@code null} leaves it to
	 * Spring Cloud AWS and the SDK's defaults.
	 *
	 * @param endpoint the endpoint, or {@code null}
	 * @param region the region id, or {@code null}
	 * @param accessKey the static access key, or {@code null} (then the secret key is
	 * too)
	 * @param secretKey the static secret key, or {@code null}
	 */
	record Connection(URI endpoint, String region, String accessKey, String secretKey) {

		/**
		 * The Kinesis client's connection.
		 * @param properties the properties
		 * @param details the connection details, or {@code null}
		 * @return the connection
		 */
		static Connection kinesis(KinesisProperties properties, KinesisConnectionDetails details) {
			URI endpoint = (details != null && details.getEndpoint() != null) ? details.getEndpoint()
					: properties.getEndpoint();
			return of(properties, details, endpoint);
		}

		/**
		 * The DynamoDB checkpoint store's connection: the region and credentials of
		 * Kinesis's, its own endpoint.
		 * @param properties the properties
		 * @param details the connection details, or {@code null}
		 * @return the connection
		 */
		static Connection dynamoDb(KinesisProperties properties, KinesisConnectionDetails details) {
			URI endpoint = (details != null && details.getDynamoDbEndpoint() != null) ? details.getDynamoDbEndpoint()
					: properties.getCheckpoint().getDynamodb().getEndpoint();
			return of(properties, details, endpoint);
		}

		private static Connection of(KinesisProperties properties, KinesisConnectionDetails details, URI endpoint) {
			String region = (details != null && details.getRegion() != null) ? details.getRegion()
					: properties.getRegion();
			if (details != null && (details.getAccessKey() != null || details.getSecretKey() != null)) {
				if (details.getAccessKey() == null || details.getSecretKey() == null) {
					throw new IllegalStateException("The KinesisConnectionDetails bean " + details.getClass().getName()
							+ " gives only one of access key and secret key; "
							+ "give both, or neither to use the kinesis.credentials.* properties or the defaults");
				}
				return new Connection(endpoint, region, details.getAccessKey(), details.getSecretKey());
			}
			KinesisProperties.Credentials credentials = properties.getCredentials();
			if (credentials.getAccessKey() != null || credentials.getSecretKey() != null) {
				if (credentials.getAccessKey() == null || credentials.getSecretKey() == null) {
					throw new InvalidKinesisPropertyException("kinesis.credentials",
							(credentials.getAccessKey() != null) ? "access-key only" : "secret-key only",
							"set both kinesis.credentials.access-key and kinesis.credentials.secret-key, or neither "
									+ "to use the AWS default credentials chain");
				}
			}
			return new Connection(endpoint, region, credentials.getAccessKey(), credentials.getSecretKey());
		}

		/**
		 * The same connection at another endpoint.
		 * @param endpoint the endpoint
		 * @return the connection
		 */
		Connection withEndpoint(URI endpoint) {
			return new Connection(endpoint, this.region, this.accessKey, this.secretKey);
		}

	}

}
