package dev.kinesisboot.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.listener.KinesisListener;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;
import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Closing the application stops the listener gracefully: the last handled record is
 * checkpointed even when the checkpoint interval has not come round, and the lease is
 * released.
 */
@RequiresLocalServers(LocalServer.KINESIS)
class KinesisListenerShutdownIntegrationTests {

	@Test
	void shutdownCheckpointsTheLastHandledRecordAndReleasesTheLease(LocalKinesis kinesis) {
		String stream = kinesis.createStream("l-shutdown", 1);
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
			.web(WebApplicationType.NONE)
			.properties("kinesis.endpoint=" + kinesis.endpoint(), "kinesis.region=us-east-1",
					"kinesis.credentials.access-key=local", "kinesis.credentials.secret-key=local",
					"kinesis.consumer.start-position=TRIM_HORIZON", "kinesis.consumer.poll-interval=100ms",
					"kinesis.consumer.checkpoint-interval=1h", "kinesis.producer.buffer-time=20ms",
					"test.stream=" + stream)
			.run()) {
			KinesisTemplate template = context.getBean(KinesisTemplate.class);
			PutResult last = null;
			for (int i = 0; i < 50; i++) {
				template.send(stream, "k", "r-" + i);
			}
			last = template.send(stream, "k", "r-last").join();
			Recorder recorder = context.getBean(Recorder.class);
			await().atMost(Duration.ofSeconds(30)).until(() -> recorder.received.contains("r-last"));
			Checkpointer checkpointer = context.getBean(KinesisListenerEndpointRegistry.class)
				.getListenerContainer("shutdown")
				.getConsumers()
				.get(0)
				.checkpointer();
			// the first batch was checkpointed when it was handled; the rest waits for
			// the interval
			context.close();

			assertThat(checkpointer.getCheckpoint(last.shardId()).join())
				.contains(Checkpoint.at(last.sequenceNumber()));
			assertThat(checkpointer.listLeases().join()).allSatisfy((lease) -> assertThat(lease.owner()).isNull());
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

	static class Recorder {

		final List<String> received = new CopyOnWriteArrayList<>();

		@KinesisListener(id = "shutdown", streams = "${test.stream}")
		void on(String value) {
			this.received.add(value);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class App {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

	}

}
