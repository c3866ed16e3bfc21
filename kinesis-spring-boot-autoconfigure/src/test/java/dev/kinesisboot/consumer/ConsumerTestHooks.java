package dev.kinesisboot.consumer;

/**
 * Lets tests of other packages reach the consumer's package-private test hooks.
 */
public final class ConsumerTestHooks {

	private ConsumerTestHooks() {
	}

	/**
	 * Stops a consumer as if its process had died: no final checkpoint, no lease release,
	 * no more heartbeats.
	 * @param consumer the consumer
	 */
	public static void halt(KinesisConsumer consumer) {
		consumer.haltForTesting();
	}

}
