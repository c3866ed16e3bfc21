package dev.kinesisboot.consumer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.kinesisboot.support.AwsErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerDescription;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/**
 * Registers the stream consumer of fan-out mode, or reuses the one registered under the
 * same name (by another worker of the application, or an earlier run), and waits until it
 * is ACTIVE with a short poll of its own (the SDK waiter polls every 10 s or more).
 */
final class StreamConsumerRegistrar {

	private static final Logger logger = LoggerFactory.getLogger(StreamConsumerRegistrar.class);

	private static final Duration ACTIVE_TIMEOUT = Duration.ofMinutes(3);

	private final KinesisAsyncClient client;

	private final String streamName;

	StreamConsumerRegistrar(KinesisAsyncClient client, String streamName) {
		this.client = client;
		this.streamName = streamName;
	}

	/**
	 * Registers or reuses a stream consumer and waits until it is ACTIVE.
	 * @param streamArn the stream
	 * @param consumerName the consumer name
	 * @return the consumer's ARN
	 * @throws IllegalStateException when it cannot be registered or does not become
	 * ACTIVE in time
	 */
	String register(String streamArn, String consumerName) {
		long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
		long pause = 50;
		boolean registered = false;
		while (true) {
			ConsumerDescription description = describe(streamArn, consumerName);
			if (description == null) {
				registerNew(streamArn, consumerName);
				registered = true;
			}
			else if (description.consumerStatus() == ConsumerStatus.ACTIVE) {
				logger.info("Stream '{}': {} stream consumer '{}' ({}) for enhanced fan-out", this.streamName,
						registered ? "registered" : "reusing", consumerName, description.consumerARN());
				return description.consumerARN();
			}
			// CREATING, or DELETING before it can be registered again: wait
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Stream consumer '" + consumerName + "' of stream '" + this.streamName
						+ "' is not ACTIVE after " + ACTIVE_TIMEOUT + " (status "
						+ ((description != null) ? description.consumerStatusAsString() : "not registered")
						+ "); check it with aws kinesis describe-stream-consumer");
			}
			sleep(pause);
			pause = Math.min(pause * 2, 1000);
		}
	}

	private ConsumerDescription describe(String streamArn, String consumerName) {
		try {
			return this.client
				.describeStreamConsumer((request) -> request.streamARN(streamArn).consumerName(consumerName))
				.join()
				.consumerDescription();
		}
		catch (RuntimeException ex) {
			if (AwsErrors.unwrap(ex) instanceof ResourceNotFoundException) {
				return null;
			}
			throw failure("describe", consumerName, ex);
		}
	}

	private void registerNew(String streamArn, String consumerName) {
		try {
			this.client.registerStreamConsumer((request) -> request.streamARN(streamArn).consumerName(consumerName))
				.join();
		}
		catch (RuntimeException ex) {
			// another worker registered it first, or it is still being deleted
			if (!(AwsErrors.unwrap(ex) instanceof ResourceInUseException)) {
				throw failure("register", consumerName, ex);
			}
		}
	}

	/**
	 * Deregisters a stream consumer; logs instead of failing.
	 * @param consumerArn the consumer's ARN
	 */
	void deregister(String consumerArn) {
		try {
			this.client.deregisterStreamConsumer((request) -> request.consumerARN(consumerArn))
				.get(10, TimeUnit.SECONDS);
			logger.info("Stream '{}': deregistered stream consumer {}", this.streamName, consumerArn);
		}
		catch (Exception ex) {
			logger.warn("Stream '{}': could not deregister stream consumer {}: {}", this.streamName, consumerArn,
					AwsErrors.unwrap(ex).toString());
		}
	}

	private FanOutUnavailableException failure(String action, String consumerName, RuntimeException ex) {
		Throwable cause = AwsErrors.unwrap(ex);
		return new FanOutUnavailableException("Could not " + action + " stream consumer '" + consumerName
				+ "' of stream '" + this.streamName + "' for enhanced fan-out: " + cause.getMessage()
				+ "; the credentials need kinesis:RegisterStreamConsumer, kinesis:DescribeStreamConsumer and "
				+ "kinesis:SubscribeToShard, or read with ConsumerMode.POLLING", cause);
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for a stream consumer", ex);
		}
	}

}
