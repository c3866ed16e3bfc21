package dev.kinesisboot.producer;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses the partition key of a record sent without one. Records with the same key go to
 * the same shard, in order.
 */
@FunctionalInterface
public interface PartitionKeyStrategy {

	/**
	 * The partition key for a payload.
	 * @param payload the payload as given to {@code put}
	 * @return a key of 1 to 256 characters
	 */
	String partitionKey(Object payload);

	/**
	 * A random 128-bit key per record, spreading records evenly over the shards. The
	 * default.
	 * @return the strategy
	 */
	static PartitionKeyStrategy random() {
		return (payload) -> {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			return Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
		};
	}

}
