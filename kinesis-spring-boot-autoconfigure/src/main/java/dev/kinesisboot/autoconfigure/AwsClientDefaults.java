package dev.kinesisboot.autoconfigure;

import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;

/**
 * Applies application-wide AWS client settings (Spring Cloud AWS's region, credentials
 * and endpoint) to a client builder before the {@code kinesis.*} settings override them.
 */
interface AwsClientDefaults {

	/**
	 * Applies the defaults.
	 * @param <T> the builder type
	 * @param builder the builder
	 */
	<T extends AwsClientBuilder<T, ?>> void apply(T builder);

}
