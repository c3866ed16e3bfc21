package dev.kinesisboot.consumer;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Backoff;
import dev.kinesisboot.support.Futures;
import dev.kinesisboot.support.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerDescription;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamConsumerResponse;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/**
 * Registers the stream consumer of fan-out mode, or reuses the one registered under the
 * same name (by another worker of the application, or an earlier run), and waits until it
 * is ACTIVE, asking on the consumer's scheduler from every 50 ms up to every second (the
 * SDK waiter asks every 10 s or more).
 */
final class StreamConsumerRegistrar {

	private static final Logger logger = LoggerFactory.getLogger(StreamConsumerRegistrar.class);

	private static final Duration ACTIVE_TIMEOUT = Duration.ofMinutes(3);

	private static final Backoff PAUSES = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));

	private final KinesisAsyncClient client;

	private final String streamName;

	StreamConsumerRegistrar(KinesisAsyncClient client, String streamName) {
		this.client = client;
		this.streamName = streamName;
	}

	/**
	 * Registers or reuses a stream consumer and waits until it is ACTIVE.
	 * @param scheduler the timer between asks
	 * @param streamArn the stream
	 * @param consumerName the consumer name
	 * @return the consumer's ARN; fails with {@link FanOutUnavailableException} when it
	 * cannot be registered, or {@link IllegalStateException} when it does not become
	 * ACTIVE in time
	 */
	CompletableFuture<String> register(Scheduler scheduler, String streamArn, String consumerName) {
		AtomicBoolean registered = new AtomicBoolean();
		return Futures.poll(scheduler, () -> describe(streamArn, consumerName).thenCompose((description) -> {
			if (description != null) {
				return CompletableFuture.completedFuture(description);
			}
			registered.set(true);
			return registerNew(streamArn, consumerName).thenApply((ignored) -> null);
		}), (description) -> description != null && description.consumerStatus() == ConsumerStatus.ACTIVE, PAUSES,
				ACTIVE_TIMEOUT.toNanos(),
				// CREATING, or DELETING before it can be registered again, for too long
				(description) -> new IllegalStateException("Stream consumer '" + consumerName + "' of stream '"
						+ this.streamName + "' is not ACTIVE after " + ACTIVE_TIMEOUT + " (status "
						+ ((description != null) ? description.consumerStatusAsString() : "not registered")
						+ "); check it with aws kinesis describe-stream-consumer"))
			.thenApply((description) -> {
				logger.info("Stream '{}': {} stream consumer '{}' ({}) for enhanced fan-out", this.streamName,
						registered.get() ? "registered" : "reusing", consumerName, description.consumerARN());
				return description.consumerARN();
			});
	}

	private CompletableFuture<ConsumerDescription> describe(String streamArn, String consumerName) {
		return Futures
			.call(() -> this.client
				.describeStreamConsumer((request) -> request.streamARN(streamArn).consumerName(consumerName)))
			.thenApply(DescribeStreamConsumerResponse::consumerDescription)
			.exceptionallyCompose((error) -> (AwsErrors.unwrap(error) instanceof ResourceNotFoundException)
					? CompletableFuture.completedFuture(null)
					: CompletableFuture.failedFuture(failure("describe", consumerName, error)));
	}

	private CompletableFuture<Void> registerNew(String streamArn, String consumerName) {
		return Futures
			.call(() -> this.client
				.registerStreamConsumer((request) -> request.streamARN(streamArn).consumerName(consumerName)))
			.thenApply((response) -> (Void) null)
			// another worker registered it first, or it is still being deleted
			.exceptionallyCompose((error) -> (AwsErrors.unwrap(error) instanceof ResourceInUseException)
					? CompletableFuture.completedFuture(null)
					: CompletableFuture.failedFuture(failure("register", consumerName, error)));
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

	private FanOutUnavailableException failure(String action, String consumerName, Throwable error) {
		Throwable cause = AwsErrors.unwrap(error);
		return new FanOutUnavailableException("Could not " + action + " stream consumer '" + consumerName
				+ "' of stream '" + this.streamName + "' for enhanced fan-out: " + cause.getMessage()
				+ "; the credentials need kinesis:RegisterStreamConsumer, kinesis:DescribeStreamConsumer and "
				+ "kinesis:SubscribeToShard, or read with ConsumerMode.POLLING", cause);
	}

}
