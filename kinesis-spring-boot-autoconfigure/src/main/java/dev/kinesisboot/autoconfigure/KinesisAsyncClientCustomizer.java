package dev.kinesisboot.autoconfigure;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;

/**
 * Adjusts the builder of the auto-configured {@code KinesisAsyncClient} (HTTP client,
 * retries, interceptors). Customizer beans are applied in order, after the
 * {@code kinesis.*} settings.
 */
@FunctionalInterface
public interface KinesisAsyncClientCustomizer {

	/**
	 * Customizes the builder.
	 * @param builder the builder
	 */
	void customize(KinesisAsyncClientBuilder builder);

}
