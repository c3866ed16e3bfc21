package dev.kinesisboot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.listener.KinesisListener;
import dev.kinesisboot.listener.KinesisListenerContainer;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;
import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

import software.amazon.awssdk.core.SdkBytes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Listener containers follow the application's lifecycle: none is left running after a
 * failed start-up, and a listener on a {@code @Lazy} bean starts when the bean is
 * created.
 */
@RequiresLocalServers(LocalServer.KINESIS)
class KinesisListenerLifecycleIntegrationTests {

	@Test
	void aFailedStartUpLeavesNoListenerRunning(LocalKinesis kinesis) {
		String stream = kinesis.createStream("l-failed-start", 1);
		String missing = TestNames.unique("l-missing");
		Recorder.received.clear();
		try {
			// the first listener starts, the second names a stream that does not exist
			assertThatThrownBy(() -> new SpringApplicationBuilder(FailingApp.class).web(WebApplicationType.NONE)
				.properties(properties(kinesis, "test.stream=" + stream, "test.missing=" + missing))
				.run()).hasStackTraceContaining(missing);

			kinesis.client()
				.putRecord((request) -> request.streamName(stream)
					.partitionKey("k")
					.data(SdkBytes.fromUtf8String("after the failure")))
				.join();
			// before the fix the listener that had started handled it within a poll
			await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(Recorder.received::isEmpty);
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

	@Test
	void aListenerOnALazyBeanStartsWhenTheBeanIsCreated(LocalKinesis kinesis) {
		String stream = kinesis.createStream("l-lazy", 1);
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(LazyApp.class)
			.web(WebApplicationType.NONE)
			.properties(properties(kinesis, "test.stream=" + stream))
			.run()) {
			KinesisListenerEndpointRegistry registry = context.getBean(KinesisListenerEndpointRegistry.class);
			assertThat(registry.getListenerContainer("lazy")).as("not created yet").isNull();

			LazyRecorder recorder = context.getBean(LazyRecorder.class);

			assertThat(registry.getListenerContainer("lazy")).isNotNull();
			await().atMost(Duration.ofSeconds(30)).until(() -> registry.getListenerContainer("lazy").isRunning());
			context.getBean(KinesisTemplate.class).send(stream, "k", "hello").join();
			await().atMost(Duration.ofSeconds(30)).until(() -> recorder.received.contains("hello"));
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

	@Test
	void stoppingWithACallbackClosesEveryContainerReleasesItsLeasesAndThenCallsBack(LocalKinesis kinesis)
			throws InterruptedException {
		String stream = kinesis.createStream("l-stop-callback", 2);
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(LazyApp.class)
			.web(WebApplicationType.NONE)
			.properties(properties(kinesis, "test.stream=" + stream))
			.run()) {
			context.getBean(LazyRecorder.class);
			KinesisListenerEndpointRegistry registry = context.getBean(KinesisListenerEndpointRegistry.class);
			KinesisListenerContainer container = registry.getListenerContainer("lazy");
			await().atMost(Duration.ofSeconds(30))
				.until(() -> container.getConsumers()
					.stream()
					.mapToInt((consumer) -> consumer.status().size())
					.sum() == 2);
			Checkpointer checkpointer = container.getConsumers().get(0).checkpointer();
			CountDownLatch stopped = new CountDownLatch(1);

			registry.stop(stopped::countDown);

			assertThat(stopped.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(container.isRunning()).isFalse();
			assertThat(registry.isRunning()).isFalse();
			assertThat(checkpointer.listLeases().join()).hasSize(2)
				.allSatisfy((lease) -> assertThat(lease.owner()).isNull());
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

	private static String[] properties(LocalKinesis kinesis, String... more) {
		List<String> all = new ArrayList<>(List.of("kinesis.endpoint=" + kinesis.endpoint(), "kinesis.region=us-east-1",
				"kinesis.credentials.access-key=local", "kinesis.credentials.secret-key=local",
				"kinesis.consumer.start-position=TRIM_HORIZON", "kinesis.consumer.poll-interval=100ms",
				"kinesis.producer.buffer-time=20ms"));
		all.addAll(List.of(more));
		return all.toArray(String[]::new);
	}

	static class Recorder {

		static final List<String> received = new CopyOnWriteArrayList<>();

		@KinesisListener(id = "starts", streams = "${test.stream}")
		void on(String value) {
			received.add(value);
		}

	}

	static class MissingStreamRecorder {

		@KinesisListener(id = "fails", streams = "${test.missing}")
		void on(String value) {
		}

	}

	static class LazyRecorder {

		final List<String> received = new CopyOnWriteArrayList<>();

		@KinesisListener(id = "lazy", streams = "${test.stream}")
		void on(String value) {
			this.received.add(value);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class FailingApp {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

		// registered after the first, so that one has started when this one fails
		@Bean
		MissingStreamRecorder missingStreamRecorder() {
			return new MissingStreamRecorder();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class LazyApp {

		@Bean
		@Lazy
		LazyRecorder lazyRecorder() {
			return new LazyRecorder();
		}

	}

}
