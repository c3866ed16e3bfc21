package dev.kinesisboot.autoconfigure;

import dev.kinesisboot.listener.KinesisListener;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;

import java.util.Map;

import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class KinesisActuatorAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(KinesisAutoConfiguration.class, KinesisCheckpointAutoConfiguration.class,
						KinesisListenerAutoConfiguration.class, KinesisActuatorAutoConfiguration.class))
		.withPropertyValues("kinesis.region=us-east-1", "kinesis.endpoint=http://127.0.0.1:1",
				"kinesis.credentials.access-key=local", "kinesis.credentials.secret-key=local",
				"management.endpoints.web.exposure.include=kinesis");

	@Test
	void healthIndicatorAndEndpointAreConfiguredWithTheActuatorPresent() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(KinesisHealthIndicator.class).hasSingleBean(KinesisEndpoint.class);
			Health health = context.getBean(KinesisHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("containers", Map.of());
			assertThat(context.getBean(KinesisEndpoint.class).kinesis().containers()).isEmpty();
		});
	}

	@Test
	void aContainerIsPausedAndResumedThroughTheEndpointWhoseWritesAreOffByDefault() {
		this.runner.withBean(Paused.class).run((context) -> {
			KinesisEndpoint endpoint = context.getBean(KinesisEndpoint.class);
			assertThat(endpoint.state("pausable", "paused").paused()).isTrue();
			assertThat(
					context.getBean(KinesisListenerEndpointRegistry.class).getListenerContainer("pausable").isPaused())
				.isTrue();
			assertThat(endpoint.state("pausable", "RUNNING").paused()).isFalse();
			assertThat(endpoint.state("no-such-container", "paused")).isNull();
			assertThatExceptionOfType(InvalidEndpointRequestException.class)
				.isThrownBy(() -> endpoint.state("pausable", "asleep"))
				.withMessageContaining("\"paused\" or \"running\"");
		});
		assertThat(
				KinesisEndpoint.class.getAnnotation(org.springframework.boot.actuate.endpoint.annotation.Endpoint.class)
					.defaultAccess())
			.isEqualTo(Access.READ_ONLY);
	}

	static class Paused {

		@KinesisListener(id = "pausable", streams = "orders", autoStartup = "false")
		void on(String value) {
		}

	}

	@Test
	void nothingIsConfiguredWithoutTheActuator() {
		this.runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class, Endpoint.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(KinesisHealthIndicator.class)
				.doesNotHaveBean(KinesisEndpoint.class));
	}

	@Test
	void endpointIsNotConfiguredWhenNotExposed() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=health")
			.run((context) -> assertThat(context).doesNotHaveBean(KinesisEndpoint.class)
				.hasSingleBean(KinesisHealthIndicator.class));
	}

	@Test
	void userBeansWin() {
		this.runner.withUserConfiguration(UserConfiguration.class).run((context) -> {
			assertThat(context).doesNotHaveBean(KinesisHealthIndicator.class);
			assertThat(context.getBean("kinesisHealthIndicator")).isSameAs(UserConfiguration.HEALTH);
			assertThat(context.getBean(KinesisEndpoint.class)).isSameAs(context.getBean("myKinesisEndpoint"));
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserConfiguration {

		static final HealthIndicator HEALTH = () -> Health.up().build();

		@Bean
		HealthIndicator kinesisHealthIndicator() {
			return HEALTH;
		}

		@Bean
		KinesisEndpoint myKinesisEndpoint() {
			return new KinesisEndpoint(new KinesisListenerEndpointRegistry());
		}

	}

}
