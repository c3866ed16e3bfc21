package dev.kinesisboot.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kinesisboot.consumer.ConsumerMode;
import dev.kinesisboot.listener.KinesisListener;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;
import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code kinesis.consumer.mode=fan-out} in an application: the listener reads over a
 * stream consumer registered under the group's name, and records sent with the template
 * reach it.
 */
@RequiresLocalServers(LocalServer.KINESIS)
@SpringBootTest(classes = KinesisListenerFanOutIntegrationTests.TestApplication.class,
		properties = { "spring.application.name=billing", "kinesis.region=us-east-1",
				"kinesis.credentials.access-key=local", "kinesis.credentials.secret-key=local",
				"kinesis.consumer.mode=fan-out", "kinesis.consumer.create-stream=true",
				"kinesis.consumer.start-position=TRIM_HORIZON", "kinesis.producer.buffer-time=20ms" })
@DirtiesContext
class KinesisListenerFanOutIntegrationTests {

	static final String STREAM = TestNames.unique("l-fan-out");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("kinesis.endpoint", () -> LocalServer.KINESIS.endpoint().toString());
		registry.add("test.stream", () -> STREAM);
	}

	@Autowired
	KinesisTemplate template;

	@Autowired
	KinesisAsyncClient client;

	@Autowired
	KinesisListenerEndpointRegistry registry;

	@Autowired
	Received received;

	@Test
	void listenerReadsOverARegisteredStreamConsumerNamedAfterTheGroup() {
		for (int i = 0; i < 10; i++) {
			this.template.send(STREAM, "k" + i, "event-" + i);
		}
		this.template.flush().join();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(this.received.texts).hasSize(10));
		assertThat(this.registry.getListenerContainer("fan-out").getConsumers().get(0).options().mode())
			.isEqualTo(ConsumerMode.FAN_OUT);
		String streamArn = this.client.describeStreamSummary((r) -> r.streamName(STREAM))
			.join()
			.streamDescriptionSummary()
			.streamARN();
		assertThat(this.client.listStreamConsumers((r) -> r.streamARN(streamArn)).join().consumers()).singleElement()
			.satisfies((consumer) -> assertThat(consumer.consumerName()).isEqualTo("billing"));
	}

	static class Received {

		final List<String> texts = new CopyOnWriteArrayList<>();

		@KinesisListener(id = "fan-out", streams = "${test.stream}")
		void onText(String text) {
			this.texts.add(text);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		Received received() {
			return new Received();
		}

	}

}
