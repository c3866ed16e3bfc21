package dev.kinesisboot.listener;

import java.lang.reflect.Method;
import java.time.Instant;
import java.util.List;

import dev.kinesisboot.aggregation.RecordFormat;
import dev.kinesisboot.consumer.CheckpointMode;
import dev.kinesisboot.consumer.InitialPosition;

/**
 * One {@link KinesisListener} method with its resolved attributes; {@code null}
 * attributes take the container factory's defaults.
 *
 * @param id the container id
 * @param streams the streams to read
 * @param group the consumer group, or {@code null}
 * @param startPosition where shards without checkpoint start, or {@code null}
 * @param batch whether the method takes batches, or {@code null}
 * @param checkpointMode the checkpoint mode, or {@code null}
 * @param concurrency handler threads, or {@code null}
 * @param autoStartup whether the container starts with the application, or {@code null}
 * @param bean the bean
 * @param method the method
 * @param format how records are laid out, or {@code null} for the consumer's default
 * (JSON, KPL aggregated records unpacked)
 * @param startTimestamp where shards without checkpoint start with
 * {@link InitialPosition#AT_TIMESTAMP}, or {@code null} for the factory's
 */
public record KinesisListenerEndpoint(String id, List<String> streams, String group, InitialPosition startPosition,
		Boolean batch, CheckpointMode checkpointMode, Integer concurrency, Boolean autoStartup, Object bean,
		Method method, RecordFormat format, Instant startTimestamp) {

	/**
	 * An endpoint that reads records in the default format.
	 * @param id the container id
	 * @param streams the streams to read
	 * @param group the consumer group, or {@code null}
	 * @param startPosition where shards without checkpoint start, or {@code null}
	 * @param batch whether the method takes batches, or {@code null}
	 * @param checkpointMode the checkpoint mode, or {@code null}
	 * @param concurrency handler threads, or {@code null}
	 * @param autoStartup whether the container starts with the application, or
	 * {@code null}
	 * @param bean the bean
	 * @param method the method
	 */
	public KinesisListenerEndpoint(String id, List<String> streams, String group, InitialPosition startPosition,
			Boolean batch, CheckpointMode checkpointMode, Integer concurrency, Boolean autoStartup, Object bean,
			Method method) {
		this(id, streams, group, startPosition, batch, checkpointMode, concurrency, autoStartup, bean, method, null,
				null);
	}

}
