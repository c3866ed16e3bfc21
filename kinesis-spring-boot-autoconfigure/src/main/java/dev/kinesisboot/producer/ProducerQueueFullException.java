package dev.kinesisboot.producer;

/**
 * The producer's queue stayed full for longer than
 * {@link ProducerOptions#queueFullTimeout()}; the record was not queued. Kinesis is not
 * taking records as fast as they are put: add shards, slow down, or raise the queue size.
 */
public class ProducerQueueFullException extends RuntimeException {

	/**
	 * Creates an exception.
	 * @param message what happened and what to do
	 */
	public ProducerQueueFullException(String message) {
		super(message);
	}

}
