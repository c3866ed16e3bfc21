package dev.kinesisboot.autoconfigure;

import java.util.function.Consumer;

import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.producer.ProducerOptions;

/**
 * Turns {@code kinesis.producer.*} and {@code kinesis.consumer.*} into the library's
 * option objects; a value the library refuses becomes an
 * {@link InvalidKinesisPropertyException} that names the property.
 */
final class KinesisOptionsMapper {

	private KinesisOptionsMapper() {
	}

	static ProducerOptions producerOptions(KinesisProperties.Producer producer) {
		String prefix = "kinesis.producer.";
		ProducerOptions.Builder builder = ProducerOptions.builder();
		set(prefix + "buffer-time", producer.getBufferTime(), builder::bufferTime);
		set(prefix + "max-queue-size", producer.getMaxQueueSize(), builder::maxQueueSize);
		set(prefix + "queue-full-timeout", producer.getQueueFullTimeout(), builder::queueFullTimeout);
		set(prefix + "max-batch-records", producer.getMaxBatchRecords(), builder::maxBatchRecords);
		set(prefix + "max-batch-size", producer.getMaxBatchSize(), (size) -> builder.maxBatchBytes(size.toBytes()));
		builder.rateLimitEnabled(producer.isRateLimitEnabled());
		set(prefix + "records-per-second-per-shard", producer.getRecordsPerSecondPerShard(),
				builder::recordsPerSecondPerShard);
		set(prefix + "bytes-per-second-per-shard", producer.getBytesPerSecondPerShard(),
				(size) -> builder.bytesPerSecondPerShard(size.toBytes()));
		set(prefix + "max-in-flight-batches", producer.getMaxInFlightBatches(), builder::maxInFlightBatches);
		builder.orderedPerShard(producer.isOrderedPerShard());
		set(prefix + "max-attempts", producer.getMaxAttempts(), builder::maxAttempts);
		set(prefix + "record-ttl", producer.getRecordTtl(), builder::recordTtl);
		set(prefix + "retry-backoff-max", producer.getRetryBackoffMax(),
				(max) -> builder.retryBackoff(producer.getRetryBackoff(), max));
		set(prefix + "close-timeout", producer.getCloseTimeout(), builder::closeTimeout);
		set(prefix + "shard-refresh-interval", producer.getShardRefreshInterval(), builder::shardRefreshInterval);
		builder.aggregationEnabled(producer.isAggregationEnabled());
		set(prefix + "aggregation-max-size", producer.getAggregationMaxSize(),
				(size) -> builder.aggregationMaxSize((int) Math.min(Integer.MAX_VALUE, size.toBytes())));
		set(prefix + "create-stream-shard-count", producer.getCreateStreamShardCount(),
				(count) -> builder.createStream(producer.isCreateStream(), count));
		return builder.build();
	}

	static ConsumerOptions consumerOptions(KinesisProperties.Consumer consumer) {
		String prefix = "kinesis.consumer.";
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
		if (fanOut.getConsumerName() != null) {
			set(prefix + "fan-out.consumer-name", fanOut.getConsumerName(), builder::fanOutConsumerName);
		}
		set(prefix + "fan-out.subscription-renewal", fanOut.getSubscriptionRenewal(), builder::subscriptionRenewal);
		set(prefix + "fan-out.subscription-timeout", fanOut.getSubscriptionTimeout(), builder::subscriptionTimeout);
		builder.deregisterOnClose(fanOut.isDeregisterOnShutdown());
		set(prefix + "max-records-per-call", consumer.getMaxRecordsPerCall(), builder::maxRecordsPerCall);
		set(prefix + "shard-refresh-interval", consumer.getShardRefreshInterval(), builder::shardRefreshInterval);
		set(prefix + "max-queue-size", consumer.getMaxQueueSize(), builder::maxQueueSize);
		set(prefix + "handler-threads", consumer.getHandlerThreads(), builder::handlerThreads);
		set(prefix + "checkpoint-interval", consumer.getCheckpointInterval(), builder::checkpointInterval);
		set(prefix + "retry-backoff-max", consumer.getRetryBackoffMax(),
				(max) -> builder.handlerRetryBackoff(consumer.getRetryBackoff(), max));
		set(prefix + "shutdown-timeout", consumer.getShutdownTimeout(), builder::shutdownTimeout);
		positive(prefix + "lease-duration", consumer.getLeaseDuration());
		if (consumer.getMaxAttempts() < 0) {
			throw new InvalidKinesisPropertyException(prefix + "max-attempts", consumer.getMaxAttempts(),
					"it must be 0 (retry for ever) or a positive number of attempts");
		}
		return builder.build();
	}

	static void positive(String property, java.time.Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new InvalidKinesisPropertyException(property, value, "it must be a positive duration, such as 10s");
		}
	}

	private static <T> void set(String property, T value, Consumer<T> setter) {
		try {
			setter.accept(value);
		}
		catch (IllegalArgumentException | NullPointerException ex) {
			throw new InvalidKinesisPropertyException(property, value, ex.getMessage());
		}
	}

}
