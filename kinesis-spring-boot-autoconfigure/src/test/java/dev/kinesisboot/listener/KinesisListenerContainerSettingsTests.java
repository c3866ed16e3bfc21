package dev.kinesisboot.listener;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

import dev.kinesisboot.checkpoint.CheckpointerFactory;
import dev.kinesisboot.consumer.CheckpointMode;
import dev.kinesisboot.consumer.ConsumerErrorHandler;
import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import dev.kinesisboot.record.KinesisRecord;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A container keeps the settings its factory had when it was created, as spring-kafka's
 * containers keep the properties their factory copied into them.
 */
class KinesisListenerContainerSettingsTests {

	private final List<String> groups = new CopyOnWriteArrayList<>();

	private final CheckpointerFactory memory = CheckpointerFactory.memory(Duration.ofSeconds(10));

	private final DefaultKinesisListenerContainerFactory factory = new DefaultKinesisListenerContainerFactory(
			new UnreachableKinesis(), (group, stream) -> {
				this.groups.add(group);
				return this.memory.create(group, stream);
			}, new PayloadConverter(JsonMapper.builder().build()));

	@Test
	void changingTheFactoryAfterAContainerWasCreatedDoesNotChangeThatContainer() throws Exception {
		Executor first = Runnable::run;
		ConsumerOptions firstOptions = ConsumerOptions.builder().maxQueueSize(100).build();
		VerifiedErrorHandler firstErrorHandler = new VerifiedErrorHandler();
		this.factory.setGroup("billing");
		this.factory.setConsumerOptions(firstOptions);
		this.factory.setListenerTaskExecutor(first);
		this.factory.setErrorHandler(firstErrorHandler);
		KinesisListenerContainer container = this.factory.createContainer(endpoint());

		VerifiedErrorHandler laterErrorHandler = new VerifiedErrorHandler();
		this.factory.setGroup("shipping");
		this.factory.setConsumerOptions(ConsumerOptions.builder().maxQueueSize(5).build());
		this.factory.setListenerTaskExecutor((task) -> new Thread(task).start());
		this.factory.setErrorHandler(laterErrorHandler);
		this.factory.setCheckpointMode(CheckpointMode.MANUAL);
		this.factory.setMetricsCollector(new InMemoryMetricsCollector());
		this.factory.setObservationRegistry(ObservationRegistry.create());
		this.factory.setCreateStreams(true, 4);

		ContainerSettings settings = container.settings();
		assertThat(settings.group()).isEqualTo("billing");
		assertThat(settings.consumerOptions()).isSameAs(firstOptions);
		assertThat(settings.listenerTaskExecutor()).isSameAs(first);
		assertThat(settings.errorHandler()).isSameAs(firstErrorHandler);
		assertThat(settings.checkpointMode()).isEqualTo(CheckpointMode.AUTO);
		assertThat(settings.observationRegistry()).isSameAs(ObservationRegistry.NOOP);
		assertThat(settings.createStreams()).isFalse();
		// starting reads its own copy too: the stream check fails, after the checkpointer
		// of the group and the error handler's check
		assertThatException().isThrownBy(container::start);
		assertThat(this.groups).containsExactly("billing");
		assertThat(firstErrorHandler.verified).isTrue();
		assertThat(laterErrorHandler.verified).isFalse();
	}

	@Test
	void aContainerCreatedAfterTheFactoryChangedTakesTheNewSettings() {
		this.factory.createContainer(endpoint());
		this.factory.setGroup("shipping");
		Executor executor = Runnable::run;
		this.factory.setListenerTaskExecutor(executor);

		ContainerSettings settings = this.factory.createContainer(endpoint()).settings();

		assertThat(settings.group()).isEqualTo("shipping");
		assertThat(settings.listenerTaskExecutor()).isSameAs(executor);
	}

	@Test
	void withoutACheckpointModeOfItsOwnTheFactoryTakesTheConsumerOptionsOne() {
		this.factory.setConsumerOptions(ConsumerOptions.builder().checkpointMode(CheckpointMode.MANUAL).build());
		assertThat(this.factory.createContainer(endpoint()).settings().checkpointMode())
			.isEqualTo(CheckpointMode.MANUAL);

		this.factory.setCheckpointMode(CheckpointMode.AUTO);
		assertThat(this.factory.createContainer(endpoint()).settings().checkpointMode()).isEqualTo(CheckpointMode.AUTO);
	}

	private static KinesisListenerEndpoint endpoint() {
		try {
			Listener bean = new Listener();
			return new KinesisListenerEndpoint("orders-listener", List.of("orders"), null, null, null, null, null, null,
					bean, Listener.class.getMethod("onOrder", String.class));
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static class Listener {

		public void onOrder(String order) {
		}

	}

	static class VerifiedErrorHandler implements ConsumerErrorHandler {

		volatile boolean verified;

		@Override
		public Decision handle(List<KinesisRecord<byte[]>> records, Throwable error, int attempt) {
			return Decision.SKIP;
		}

		@Override
		public void verify() {
			this.verified = true;
		}

	}

	/**
	 * A client whose every call fails, so a consumer never gets past its stream check.
	 */
	static class UnreachableKinesis implements KinesisAsyncClient {

		@Override
		public String serviceName() {
			return SERVICE_NAME;
		}

		@Override
		public void close() {
		}

	}

}
