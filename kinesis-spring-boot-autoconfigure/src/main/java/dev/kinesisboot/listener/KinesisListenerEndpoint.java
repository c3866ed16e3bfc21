package dev.kinesisboot.listener;

import java.lang.reflect.Method;
import java.util.List;

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
 */
public record KinesisListenerEndpoint(String id, List<String> streams, String group, InitialPosition startPosition,
		Boolean batch, CheckpointMode checkpointMode, Integer concurrency, Boolean autoStartup, Object bean,
		Method method) {
}
