package dev.kinesisboot.checkpoint;

import java.time.Duration;

/**
 * Creates the checkpointer of one consumer group and stream; listener containers ask it
 * for one per stream they read.
 */
@FunctionalInterface
public interface CheckpointerFactory {

	/**
	 * Creates a checkpointer, with a worker id of its own, for one consumer.
	 * @param applicationName the consumer group
	 * @param streamName the stream
	 * @return a checkpointer for that group and stream
	 */
	Checkpointer create(String applicationName, String streamName);

	/**
	 * In-memory checkpointers sharing one store (one process), each with a worker id of
	 * its own, so that two consumers of one stream and group share its shards.
	 * @param leaseDuration the lease duration
	 * @return the factory
	 */
	static CheckpointerFactory memory(Duration leaseDuration) {
		MemoryCheckpointer.Store store = new MemoryCheckpointer.Store();
		return (applicationName, streamName) -> new MemoryCheckpointer(
				CheckpointerSettings.of(applicationName, streamName).withLeaseDuration(leaseDuration), store);
	}

}
