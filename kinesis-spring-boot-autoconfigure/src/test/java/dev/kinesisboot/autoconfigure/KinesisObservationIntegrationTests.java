package dev.kinesisboot.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kinesisboot.listener.KinesisListener;
import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.testsupport.LocalKinesisProperties;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Spring Boot application with an {@code ObservationRegistry} and both
 * {@code observation-enabled} properties, against kinesis-local: a send through
 * {@link KinesisTemplate} and each call of the {@code @KinesisListener} that receives it
 * are observed with their key values, a failed call with its exception.
 */
@RequiresLocalServers(LocalServer.KINESIS)
@SpringBootTest(classes = KinesisObservationIntegrationTests.TestApplication.class)
@DirtiesContext
class KinesisObservationIntegrationTests {

	static final String STREAM = TestNames.unique("obs-orders");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		LocalKinesisProperties.register(registry);
		// the failing call is retried whatever the default attempts are
		registry.add("kinesis.consumer.max-attempts", () -> "3");
		registry.add("kinesis.consumer.retry-backoff", () -> "20ms");
		registry.add("kinesis.consumer.retry-backoff-max", () -> "100ms");
		registry.add("kinesis.consumer.group", () -> "observed");
		registry.add("kinesis.producer.observation-enabled", () -> "true");
		registry.add("kinesis.consumer.observation-enabled", () -> "true");
		registry.add("test.stream", () -> STREAM);
	}

	@Autowired
	KinesisTemplate template;

	@Autowired
	Listener listener;

	@Autowired
	TestObservationRegistry registry;

	@Test
	void aSendAndTheListenerCallsOfItsRecordAreObservedWithTheirKeyValues() {
		PutResult good = this.template.send(STREAM, "o-1", "good").join();
		PutResult flaky = this.template.send(STREAM, "o-2", "fails once").join();

		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			assertThat(this.listener.handled).containsExactly("good", "fails once");
			assertThat(this.registry).hasNumberOfObservationsWithNameEqualTo("kinesis.template", 2)
				.hasNumberOfObservationsWithNameEqualTo("kinesis.listener", 3)
				.hasAnObservation((observation) -> observation.hasNameEqualTo("kinesis.template")
					.hasContextualNameEqualTo(STREAM + " publish")
					.hasLowCardinalityKeyValue("messaging.system", "kinesis")
					.hasLowCardinalityKeyValue("messaging.operation", "publish")
					.hasLowCardinalityKeyValue("messaging.destination.name", STREAM)
					.hasLowCardinalityKeyValue("outcome", "SUCCESS")
					.hasLowCardinalityKeyValue("exception", "none")
					.hasHighCardinalityKeyValue("messaging.destination.partition.id", good.shardId())
					.hasHighCardinalityKeyValue("messaging.message.id", good.sequenceNumber()))
				.hasAnObservation((observation) -> observation.hasNameEqualTo("kinesis.listener")
					.hasContextualNameEqualTo(STREAM + " process")
					.hasLowCardinalityKeyValue("messaging.system", "kinesis")
					.hasLowCardinalityKeyValue("messaging.operation", "process")
					.hasLowCardinalityKeyValue("messaging.destination.name", STREAM)
					.hasLowCardinalityKeyValue("messaging.consumer.group.name", "observed")
					.hasLowCardinalityKeyValue("listener.id", "observed-orders")
					.hasLowCardinalityKeyValue("outcome", "SUCCESS")
					.hasHighCardinalityKeyValue("messaging.destination.partition.id", good.shardId())
					.hasHighCardinalityKeyValue("messaging.message.id", good.sequenceNumber()))
				.hasAnObservation((observation) -> observation.hasNameEqualTo("kinesis.listener")
					.hasLowCardinalityKeyValue("outcome", "FAILURE")
					.hasLowCardinalityKeyValue("exception", "IllegalStateException")
					.hasHighCardinalityKeyValue("messaging.message.id", flaky.sequenceNumber())
					.assertThatError()
					.hasMessage("fails the first time"))
				.hasAnObservation((observation) -> observation.hasNameEqualTo("kinesis.listener")
					.hasLowCardinalityKeyValue("outcome", "SUCCESS")
					.hasHighCardinalityKeyValue("messaging.message.id", flaky.sequenceNumber()));
		});
	}

	static class Listener {

		final List<String> handled = new CopyOnWriteArrayList<>();

		private volatile boolean failed;

		@KinesisListener(id = "observed-orders", streams = "${test.stream}")
		void onOrder(String order) {
			if (order.equals("fails once") && !this.failed) {
				this.failed = true;
				throw new IllegalStateException("fails the first time");
			}
			this.handled.add(order);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		TestObservationRegistry observationRegistry() {
			return TestObservationRegistry.create();
		}

		@Bean
		Listener listener() {
			return new Listener();
		}

	}

}
