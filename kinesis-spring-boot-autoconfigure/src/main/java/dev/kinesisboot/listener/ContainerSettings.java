package dev.kinesisboot.listener;

import java.util.concurrent.Executor;

import dev.kinesisboot.checkpoint.CheckpointerFactory;
import dev.kinesisboot.consumer.CheckpointMode;
import dev.kinesisboot.consumer.ConsumerErrorHandler;
import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.record.RecordExpander;
import io.micrometer.observation.ObservationRegistry;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * What a {@link DefaultKinesisListenerContainerFactory} was set to when it created a
 * container: the container keeps this copy, so setters called on the factory afterwards
 * change only containers created after them.
 *
 * @param client the Kinesis client
 * @param checkpointerFactory creates a checkpointer per group and stream
 * @param payloadConverter converts record data to listener parameters
 * @param consumerOptions the options every consumer of the container starts from
 * @param group the group of endpoints that name none
 * @param checkpointMode the checkpoint mode of endpoints that name none
 * @param metricsCollector where metrics go
 * @param errorHandler what happens when the listener throws
 * @param recordExpander how Kinesis records become user records, or {@code null} for the
 * consumer's default
 * @param createStreams whether missing streams are created at start
 * @param createStreamShardCount the shard count of created streams
 * @param observationRegistry observes each listener call
 * @param observationConvention names the observations, or {@code null} for the default
 * @param listenerTaskExecutor where listener calls run, or {@code null} for a pool of
 * {@link ConsumerOptions#handlerThreads()} threads per consumer
 */
record ContainerSettings(KinesisAsyncClient client, CheckpointerFactory checkpointerFactory,
		PayloadConverter payloadConverter, ConsumerOptions consumerOptions, String group, CheckpointMode checkpointMode,
		MetricsCollector metricsCollector, ConsumerErrorHandler errorHandler, RecordExpander recordExpander,
		boolean createStreams, int createStreamShardCount, ObservationRegistry observationRegistry,
		KinesisListenerObservationConvention observationConvention, Executor listenerTaskExecutor) {

}
