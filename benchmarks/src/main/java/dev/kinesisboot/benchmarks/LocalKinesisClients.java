package dev.kinesisboot.benchmarks;

import java.net.URI;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;

/**
 * The client builder every benchmark starts from: a local emulator's endpoint, region
 * us-east-1, static credentials, and for an HTTPS endpoint no certificate check (the
 * emulators' certificates are self-signed).
 */
final class LocalKinesisClients {

	private LocalKinesisClients() {
	}

	/**
	 * A client builder for a local emulator.
	 * @param endpoint the emulator's endpoint
	 * @param http the Netty client settings of the benchmark (protocol, pool, timeouts)
	 * @return the builder, to add overrides to and build
	 */
	static KinesisAsyncClientBuilder builder(URI endpoint, NettyNioAsyncHttpClient.Builder http) {
		if ("https".equals(endpoint.getScheme())) {
			http.tlsTrustManagersProvider(InsecureTrustManagerFactory.INSTANCE::getTrustManagers);
		}
		return KinesisAsyncClient.builder()
			.endpointOverride(endpoint)
			.region(Region.US_EAST_1)
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
			.httpClientBuilder(http);
	}

}
