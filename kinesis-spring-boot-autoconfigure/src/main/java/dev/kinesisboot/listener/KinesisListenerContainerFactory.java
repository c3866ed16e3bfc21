package dev.kinesisboot.listener;

/**
 * Builds the container that runs a {@link KinesisListenerEndpoint}.
 */
@FunctionalInterface
public interface KinesisListenerContainerFactory {

	/**
	 * Creates a container, not yet started.
	 * @param endpoint the endpoint
	 * @return the container
	 */
	KinesisListenerContainer createContainer(KinesisListenerEndpoint endpoint);

}
