package dev.kinesisboot.support;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Checks that a stream exists, creating it on request (for development and tests).
 */
public final class Streams {

	private static final Logger logger = LoggerFactory.getLogger(Streams.class);

	private static final Duration ACTIVE_TIMEOUT = Duration.ofSeconds(60);

	private Streams() {
	}

	/**
	 * Makes sure a stream exists and is usable.
	 * @param client the client
	 * @param streamName the stream
	 * @param create whether to create it when missing
	 * @param shardCount the shard count of a created stream
	 * @param property the setting that turns creation on, named in the error
	 * @throws StreamNotFoundException when it is missing and not to be created
	 */
	public static void ensureExists(KinesisAsyncClient client, String streamName, boolean create, int shardCount,
			String property) {
		try {
			client.describeStreamSummary((request) -> request.streamName(streamName)).join();
			return;
		}
		catch (RuntimeException ex) {
			if (!(AwsErrors.unwrap(ex) instanceof ResourceNotFoundException)) {
				throw new IllegalStateException("Could not describe stream '" + streamName + "': "
						+ AwsErrors.unwrap(ex).getMessage() + "; check the endpoint, region and credentials", ex);
			}
			if (!create) {
				throw new StreamNotFoundException(streamName, client,
						"create it, or set " + property + "=true for development", AwsErrors.unwrap(ex));
			}
		}
		logger.info("Creating stream '{}' with {} shard(s)", streamName, shardCount);
		try {
			client.createStream((request) -> request.streamName(streamName).shardCount(shardCount)).join();
		}
		catch (RuntimeException ex) {
			if (!(AwsErrors.unwrap(ex) instanceof ResourceInUseException)) {
				throw new IllegalStateException("Could not create stream '" + streamName + "'", AwsErrors.unwrap(ex));
			}
		}
		awaitActive(client, streamName);
	}

	private static void awaitActive(KinesisAsyncClient client, String streamName) {
		long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			StreamStatus status = client.describeStreamSummary((request) -> request.streamName(streamName))
				.join()
				.streamDescriptionSummary()
				.streamStatus();
			if (status == StreamStatus.ACTIVE) {
				return;
			}
			try {
				// our own short poll: the SDK waiter polls every 10 s
				TimeUnit.MILLISECONDS.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for stream " + streamName, ex);
			}
		}
		throw new IllegalStateException("Stream '" + streamName + "' was not ACTIVE within " + ACTIVE_TIMEOUT);
	}

}
