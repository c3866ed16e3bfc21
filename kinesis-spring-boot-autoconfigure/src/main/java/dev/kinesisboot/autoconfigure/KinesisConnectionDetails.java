package dev.kinesisboot.autoconfigure;

import java.net.URI;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;

/**
 * Where the Kinesis (and, for the DynamoDB checkpoint store, DynamoDB) clients connect
 * and with which region and credentials. Declare a bean of this type, or let a test
 * declare one ({@code @ServiceConnection} on a LocalStack container, or the test module's
 * local Kinesis), and the auto-configuration prefers it over the {@code kinesis.*}
 * connection properties. A value left {@code null} falls back to those properties, and
 * then to Spring Cloud AWS and the AWS SDK's defaults.
 */
public interface KinesisConnectionDetails extends ConnectionDetails {

	/**
	 * The Kinesis endpoint, for example {@code http://127.0.0.1:4567}. A plain
	 * {@code http} endpoint is taken for a local emulator and spoken to over HTTP/1.1.
	 * @return the endpoint, or {@code null} for AWS's
	 */
	URI getEndpoint();

	/**
	 * The region.
	 * @return the region id, or {@code null} to use the properties or the defaults
	 */
	default String getRegion() {
		return null;
	}

	/**
	 * The access key of static credentials; with {@link #getSecretKey()}.
	 * @return the access key, or {@code null} to use the properties or the defaults
	 */
	default String getAccessKey() {
		return null;
	}

	/**
	 * The secret key of static credentials; with {@link #getAccessKey()}.
	 * @return the secret key, or {@code null} to use the properties or the defaults
	 */
	default String getSecretKey() {
		return null;
	}

	/**
	 * The DynamoDB endpoint of the DynamoDB checkpoint store (LocalStack serves both at
	 * one endpoint).
	 * @return the endpoint, or {@code null} to use
	 * {@code kinesis.checkpoint.dynamodb.endpoint} or AWS's
	 */
	default URI getDynamoDbEndpoint() {
		return null;
	}

}
