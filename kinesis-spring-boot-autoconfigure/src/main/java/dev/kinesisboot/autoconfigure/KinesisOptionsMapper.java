package dev.kinesisboot.autoconfigure;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.listener.ListenerErrorHandler;
import dev.kinesisboot.producer.ProducerOptions;

/**
 * Turns {@code kinesis.producer.*} and {@code kinesis.consumer.*} into the library's
 * option objects. Only what the user set is passed on: anything unset keeps the library's
 * default ({@link ProducerOptions#defaults()}, {@link ConsumerOptions#defaults()},
 * {@link ListenerErrorHandler#DEFAULT_MAX_ATTEMPTS}). A value the library refuses becomes
 * an {@link InvalidKinesisPropertyException} that names the property.
 */
final class KinesisOptionsMapper {

	private KinesisOptionsMapper() {
	}

	static ProducerOptions producerOptions(KinesisProperties.Producer producer) {
		String prefix = "kinesis.producer.";
		ProducerOptions defaults = ProducerOptions.defaults();
		ProducerOptions.Builder builder = ProducerOptions.builder();
		set(prefix + "buffer-time", producer.getBufferTime(), builder::bufferTime);
		set(prefix + "max-queue-size", producer.getMaxQueueSize(), builder::maxQueueSize);
		set(prefix + "queue-full-timeout", producer.getQueueFullTimeout(), builder::queueFullTimeout);
		set(prefix + "max-batch-records", producer.getMaxBatchRecords(), builder::maxBatchRecords);
		set(prefix + "max-batch-size", producer.getMaxBatchSize(), (size) -> builder.maxBatchBytes(size.toBytes()));
		set(prefix + "rate-limit-enabled", producer.getRateLimitEnabled(), builder::rateLimitEnabled);
		set(prefix + "records-per-second-per-shard", producer.getRecordsPerSecondPerShard(),
				builder::recordsPerSecondPerShard);
		set(prefix + "bytes-per-second-per-shard", producer.getBytesPerSecondPerShard(),
				(size) -> builder.bytesPerSecondPerShard(size.toBytes()));
		set(prefix + "max-in-flight-batches", producer.getMaxInFlightBatches(), builder::maxInFlightBatches);
		set(prefix + "ordered-per-shard", producer.getOrderedPerShard(), builder::orderedPerShard);
		set(prefix + "max-attempts", producer.getMaxAttempts(), builder::maxAttempts);
		set(prefix + "record-ttl", producer.getRecordTtl(), builder::recordTtl);
		// set together: the one left unset keeps its default
		setPair(prefix + "retry-backoff", producer.getRetryBackoff(), defaults.retryBackoffBase(),
				prefix + "retry-backoff-max", producer.getRetryBackoffMax(), defaults.retryBackoffMax(),
				builder::retryBackoff);
		set(prefix + "close-timeout", producer.getCloseTimeout(), builder::closeTimeout);
		set(prefix + "shard-refresh-interval", producer.getShardRefreshInterval(), builder::shardRefreshInterval);
		set(prefix + "aggregation-enabled", producer.getAggregationEnabled(), builder::aggregationEnabled);
		set(prefix + "aggregation-max-size", producer.getAggregationMaxSize(),
				(size) -> builder.aggregationMaxSize((int) Math.min(Integer.MAX_VALUE, size.toBytes())));
		setPair(prefix + "create-stream", producer.getCreateStream(), defaults.createStream(),
				prefix + "create-stream-shard-count", producer.getCreateStreamShardCount(),
				defaults.createStreamShardCount(), builder::createStream);
		return builder.build();
	}

	static ConsumerOptions consumerOptions(KinesisProperties.Consumer consumer) {
		String prefix = "kinesis.consumer.";
		ConsumerOptions defaults = ConsumerOptions.defaults();
		ConsumerOptions.Builder builder = ConsumerOptions.builder();
		if (consumer.getStartPosition() == InitialPosition.AT_TIMESTAMP) {
			if (consumer.getStartTimestamp() == null) {
				throw new InvalidKinesisPropertyException(prefix + "start-position", "AT_TIMESTAMP",
						"it needs kinesis.consumer.start-timestamp (an ISO-8601 instant such as 2026-01-01T00:00:00Z)");
			}
			builder.startAt(consumer.getStartTimestamp());
		}
		else {
			set(prefix + "start-position", consumer.getStartPosition(), builder::initialPosition);
		}
		set(prefix + "poll-interval", consumer.getPollInterval(), builder::pollInterval);
		set(prefix + "idle-poll-interval-max", consumer.getIdlePollIntervalMax(), builder::idlePollIntervalMax);
		set(prefix + "mode", consumer.getMode(), builder::mode);
		KinesisProperties.FanOut fanOut = consumer.getFanOut();
		set(prefix + "fan-out.consumer-name", fanOut.getConsumerName(), builder::fanOutConsumerName);
		set(prefix + "fan-out.subscription-renewal", fanOut.getSubscriptionRenewal(), builder::subscriptionRenewal);
		set(prefix + "fan-out.subscription-timeout", fanOut.getSubscriptionTimeout(), builder::subscriptionTimeout);
		set(prefix + "fan-out.deregister-on-shutdown", fanOut.getDeregisterOnShutdown(), builder::deregisterOnClose);
		set(prefix + "max-records-per-call", consumer.getMaxRecordsPerCall(), builder::maxRecordsPerCall);
		set(prefix + "shard-refresh-interval", consumer.getShardRefreshInterval(), builder::shardRefreshInterval);
		set(prefix + "max-queue-size", consumer.getMaxQueueSize(), builder::maxQueueSize);
		set(prefix + "handler-threads", consumer.getHandlerThreads(), builder::handlerThreads);
		set(prefix + "checkpoint-mode", consumer.getCheckpointMode(), builder::checkpointMode);
		set(prefix + "checkpoint-interval", consumer.getCheckpointInterval(), builder::checkpointInterval);
		setPair(prefix + "retry-backoff", consumer.getRetryBackoff(), defaults.handlerRetryBackoffBase(),
				prefix + "retry-backoff-max", consumer.getRetryBackoffMax(), defaults.handlerRetryBackoffMax(),
				builder::handlerRetryBackoff);
		set(prefix + "shutdown-timeout", consumer.getShutdownTimeout(), builder::shutdownTimeout);
		positive(prefix + "lease-duration", consumer.getLeaseDuration());
		maxAttempts(consumer);
		return builder.build();
	}

	/**
	 * The attempts of the default listener error handler.
	 * @param consumer the consumer properties
	 * @return {@code kinesis.consumer.max-attempts}, or the library's default
	 */
	static int maxAttempts(KinesisProperties.Consumer consumer) {
		Integer maxAttempts = consumer.getMaxAttempts();
		if (maxAttempts == null) {
			return ListenerErrorHandler.DEFAULT_MAX_ATTEMPTS;
		}
		if (maxAttempts < 0) {
			throw new InvalidKinesisPropertyException("kinesis.consumer.max-attempts", maxAttempts,
					"it must be 0 (retry for ever) or a positive number of attempts");
		}
		return maxAttempts;
	}

	static void positive(String property, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new InvalidKinesisPropertyException(property, value, "it must be a positive duration, such as 10s");
		}
	}

	private static <T> void set(String property, T value, Consumer<T> setter) {
		if (value == null) {
			return;
		}
		try {
			setter.accept(value);
		}
		catch (IllegalArgumentException | NullPointerException ex) {
			throw new InvalidKinesisPropertyException(property, value, ex.getMessage());
		}
	}

	/**
	 * Sets two values the library takes together when either is set; a refusal names the
	 * second property when both were set, else the one that was.
	 */
	private static <A, B> void setPair(String firstProperty, A first, A firstDefault, String secondProperty, B second,
			B secondDefault, BiConsumer<A, B> setter) {
		if (first == null && second == null) {
			return;
		}
		String property = (second != null) ? secondProperty : firstProperty;
		Object value = (second != null) ? second : first;
		try {
			setter.accept((first != null) ? first : firstDefault, (second != null) ? second : secondDefault);
		}
		catch (IllegalArgumentException | NullPointerException ex) {
			throw new InvalidKinesisPropertyException(property, value, ex.getMessage());
		}
	}

}
