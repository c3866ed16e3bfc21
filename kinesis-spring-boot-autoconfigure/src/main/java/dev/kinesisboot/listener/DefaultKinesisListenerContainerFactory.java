package dev.kinesisboot.listener;

import java.util.Objects;
import java.util.concurrent.Executor;

import dev.kinesisboot.checkpoint.CheckpointerFactory;
import dev.kinesisboot.consumer.CheckpointMode;
import dev.kinesisboot.consumer.ConsumerErrorHandler;
import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.metrics.NoOpMetricsCollector;
import dev.kinesisboot.record.RecordExpander;
import io.micrometer.observation.ObservationRegistry;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Builds {@link KinesisListenerContainer}s with shared defaults: the client, the
 * checkpointer factory, consumer options, group, checkpoint mode, metrics, payload
 * conversion, error handling and the executor listener calls run on. Each container takes
 * a copy of these settings when it is created, so a setter changes only the containers
 * created after it. Configure it, then let the registry use it; setters are not
 * thread-safe.
 */
public class DefaultKinesisListenerContainerFactory implements KinesisListenerContainerFactory {

	private final KinesisAsyncClient client;

	private final CheckpointerFactory checkpointerFactory;

	private final PayloadConverter payloadConverter;

	private ConsumerOptions consumerOptions = ConsumerOptions.defaults();

	private String group = "default";

	private CheckpointMode checkpointMode;

	private MetricsCollector metricsCollector = NoOpMetricsCollector.INSTANCE;

	private ConsumerErrorHandler errorHandler = new ListenerErrorHandler();

	private RecordExpander recordExpander;

	private boolean createStreams;

	private int createStreamShardCount = 1;

	private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

	private KinesisListenerObservationConvention observationConvention;

	private Executor listenerTaskExecutor;

	/**
	 * Creates a factory.
	 * @param client the Kinesis client
	 * @param checkpointerFactory creates a checkpointer per group and stream
	 * @param payloadConverter converts record data to listener parameters
	 */
	public DefaultKinesisListenerContainerFactory(KinesisAsyncClient client, CheckpointerFactory checkpointerFactory,
			PayloadConverter payloadConverter) {
		this.client = Objects.requireNonNull(client, "client");
		this.checkpointerFactory = Objects.requireNonNull(checkpointerFactory, "checkpointerFactory");
		this.payloadConverter = Objects.requireNonNull(payloadConverter, "payloadConverter");
	}

	@Override
	public KinesisListenerContainer createContainer(KinesisListenerEndpoint endpoint) {
		return new KinesisListenerContainer(endpoint, settings());
	}

	/**
	 * Sets the consumer options every container starts from.
	 * @param consumerOptions the options
	 */
	public void setConsumerOptions(ConsumerOptions consumerOptions) {
		this.consumerOptions = Objects.requireNonNull(consumerOptions, "consumerOptions");
	}

	/**
	 * Sets the default consumer group.
	 * @param group the group
	 */
	public void setGroup(String group) {
		this.group = Objects.requireNonNull(group, "group");
	}

	/**
	 * Sets the checkpoint mode of endpoints that name none (default: the consumer
	 * options', {@link CheckpointMode#AUTO} unless set there).
	 * @param checkpointMode the mode
	 */
	public void setCheckpointMode(CheckpointMode checkpointMode) {
		this.checkpointMode = Objects.requireNonNull(checkpointMode, "checkpointMode");
	}

	/**
	 * Sets where metrics go.
	 * @param metricsCollector the collector
	 */
	public void setMetricsCollector(MetricsCollector metricsCollector) {
		this.metricsCollector = Objects.requireNonNull(metricsCollector, "metricsCollector");
	}

	/**
	 * Sets what happens when a listener throws.
	 * @param errorHandler the error handler
	 */
	public void setErrorHandler(ConsumerErrorHandler errorHandler) {
		this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
	}

	/**
	 * Sets how Kinesis records become user records.
	 * @param recordExpander the expander, or {@code null} for the consumer's default (KPL
	 * de-aggregation)
	 */
	public void setRecordExpander(RecordExpander recordExpander) {
		this.recordExpander = recordExpander;
	}

	/**
	 * Creates missing listener streams at start (development and tests only).
	 * @param createStreams whether to create
	 * @param shardCount the shard count of created streams
	 */
	public void setCreateStreams(boolean createStreams, int shardCount) {
		this.createStreams = createStreams;
		this.createStreamShardCount = shardCount;
	}

	/**
	 * Runs the listener calls of the containers created from now on on the application's
	 * executor, such as one of virtual threads, instead of on a pool of
	 * {@link ConsumerOptions#handlerThreads() handler threads} per consumer. Records of a
	 * shard still reach the listener in order, one batch at a time, so an executor that
	 * starts a thread per task runs at most one call per shard held at once; the records
	 * in flight stay bounded by {@link ConsumerOptions#maxQueueSize()}. The
	 * {@code concurrency} of an endpoint then has no effect. The executor is not shut
	 * down by the containers.
	 * @param listenerTaskExecutor the executor, or {@code null} for a pool per consumer
	 * (the default)
	 */
	public void setListenerTaskExecutor(Executor listenerTaskExecutor) {
		this.listenerTaskExecutor = listenerTaskExecutor;
	}

	/**
	 * Observes each listener call of the containers created from now on (the default,
	 * {@link ObservationRegistry#NOOP}, observes nothing and creates no observation).
	 * @param observationRegistry the registry
	 */
	public void setObservationRegistry(ObservationRegistry observationRegistry) {
		this.observationRegistry = Objects.requireNonNull(observationRegistry, "observationRegistry");
	}

	/**
	 * Replaces the name and key values of the listener observations of the containers
	 * created from now on.
	 * @param observationConvention the convention, or {@code null} for
	 * {@link DefaultKinesisListenerObservationConvention}
	 */
	public void setObservationConvention(KinesisListenerObservationConvention observationConvention) {
		this.observationConvention = observationConvention;
	}

	/**
	 * The settings a container created now gets: a copy, so that setters called later do
	 * not reach it.
	 * @return the settings
	 */
	ContainerSettings settings() {
		CheckpointMode mode = (this.checkpointMode != null) ? this.checkpointMode
				: this.consumerOptions.checkpointMode();
		return new ContainerSettings(this.client, this.checkpointerFactory, this.payloadConverter, this.consumerOptions,
				this.group, mode, this.metricsCollector, this.errorHandler, this.recordExpander, this.createStreams,
				this.createStreamShardCount, this.observationRegistry, this.observationConvention,
				this.listenerTaskExecutor);
	}

}
