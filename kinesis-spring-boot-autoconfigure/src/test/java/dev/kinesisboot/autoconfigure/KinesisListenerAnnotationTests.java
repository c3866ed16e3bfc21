package dev.kinesisboot.autoconfigure;

import java.time.Instant;

import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.listener.KinesisListener;
import dev.kinesisboot.listener.KinesisListenerEndpoint;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code startPosition = "AT_TIMESTAMP"} works from the annotation, with its
 * {@code startTimestamp}; a time that is not an instant, or a time with another start
 * position, fails start-up naming the method.
 */
class KinesisListenerAnnotationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KinesisAutoConfiguration.class,
				KinesisCheckpointAutoConfiguration.class, KinesisListenerAutoConfiguration.class))
		.withPropertyValues("kinesis.region=us-east-1", "kinesis.endpoint=http://127.0.0.1:1");

	@Test
	void aListenerCanStartAtATimestampNamedOnTheAnnotation() {
		this.runner.withBean(FromTime.class).run((context) -> {
			KinesisListenerEndpoint endpoint = context.getBean(KinesisListenerEndpointRegistry.class)
				.getListenerContainer("from-time")
				.getEndpoint();
			assertThat(endpoint.startPosition()).isEqualTo(InitialPosition.AT_TIMESTAMP);
			assertThat(endpoint.startTimestamp()).isEqualTo(Instant.parse("2026-11-30T08:00:00Z"));
		});
	}

	@Test
	void aTimeThatIsNotAnInstantFailsStartUpNamingTheMethod() {
		this.runner.withBean(BadTime.class)
			.run((context) -> assertThat(context.getStartupFailure()).hasStackTraceContaining("BadTime.on")
				.hasStackTraceContaining("startTimestamp = \"yesterday\" is not an ISO-8601 instant"));
	}

	@Test
	void aTimeWithAnotherStartPositionFailsStartUp() {
		this.runner.withBean(TimeAndLatest.class)
			.run((context) -> assertThat(context.getStartupFailure()).hasStackTraceContaining("TimeAndLatest.on")
				.hasStackTraceContaining("startPosition is LATEST"));
	}

	static class FromTime {

		@KinesisListener(id = "from-time", streams = "orders", startTimestamp = "2026-11-30T08:00:00Z",
				autoStartup = "false")
		void on(String value) {
		}

	}

	static class BadTime {

		@KinesisListener(streams = "orders", startPosition = "AT_TIMESTAMP", startTimestamp = "yesterday",
				autoStartup = "false")
		void on(String value) {
		}

	}

	static class TimeAndLatest {

		@KinesisListener(streams = "orders", startPosition = "LATEST", startTimestamp = "2026-11-30T08:00:00Z",
				autoStartup = "false")
		void on(String value) {
		}

	}

}
