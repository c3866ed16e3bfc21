package dev.kinesisboot.autoconfigure;

import java.net.URI;

import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;

/**
 * Applies application-wide AWS client settings (Spring Cloud AWS's region, credentials
 * and endpoint, from its properties or its {@code AwsConnectionDetails}) to a client
 * builder before the {@code kinesis.*} settings override them.
 */
interface AwsClientDefaults {

	/**
	 * Applies the defaults.
	 * @param <T> the builder type
	 * @param builder the builder
	 */
	<T extends AwsClientBuilder<T, ?>> void apply(T builder);

	/**
	 * The endpoint the defaults set, if any.
	 * @return the endpoint, or {@code null}
	 */
	URI endpoint();

}
