package dev.kinesisboot.test.localstack;

import java.net.URI;

import dev.kinesisboot.autoconfigure.KinesisConnectionDetails;
import org.testcontainers.localstack.LocalStackContainer;

import org.springframework.boot.testcontainers.service.connection.ContainerConnectionDetailsFactory;
import org.springframework.boot.testcontainers.service.connection.ContainerConnectionSource;

/**
 * Makes {@code @ServiceConnection} on a Testcontainers {@link LocalStackContainer} give
 * the application's Kinesis client (and the DynamoDB checkpoint store's) the container's
 * endpoint, region and credentials. Registered in {@code META-INF/spring.factories}.
 */
class LocalStackKinesisConnectionDetailsFactory
		extends ContainerConnectionDetailsFactory<LocalStackContainer, KinesisConnectionDetails> {

	@Override
	protected KinesisConnectionDetails getContainerConnectionDetails(
			ContainerConnectionSource<LocalStackContainer> source) {
		return new LocalStackKinesisConnectionDetails(source);
	}

	private static final class LocalStackKinesisConnectionDetails
			extends ContainerConnectionDetails<LocalStackContainer> implements KinesisConnectionDetails {

		LocalStackKinesisConnectionDetails(ContainerConnectionSource<LocalStackContainer> source) {
			super(source);
		}

		@Override
		public URI getEndpoint() {
			return getContainer().getEndpoint();
		}

		@Override
		public URI getDynamoDbEndpoint() {
			return getContainer().getEndpoint();
		}

		@Override
		public String getRegion() {
			return getContainer().getRegion();
		}

		@Override
		public String getAccessKey() {
			return getContainer().getAccessKey();
		}

		@Override
		public String getSecretKey() {
			return getContainer().getSecretKey();
		}

	}

}
