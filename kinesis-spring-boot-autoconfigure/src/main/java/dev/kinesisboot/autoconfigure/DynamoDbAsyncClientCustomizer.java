package dev.kinesisboot.autoconfigure;

import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;

/**
 * Adjusts the builder of the DynamoDB client the DynamoDB checkpoint store uses; applied
 * in order after the {@code kinesis.*} settings.
 */
@FunctionalInterface
public interface DynamoDbAsyncClientCustomizer {

	/**
	 * Customizes the builder.
	 * @param builder the builder
	 */
	void customize(DynamoDbAsyncClientBuilder builder);

}
