package dev.kinesisboot.autoconfigure;

import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configures the {@code kinesis} health contributor and actuator endpoint over the
 * {@code @KinesisListener} containers, each when its actuator module is on the classpath.
 */
@AutoConfiguration(after = KinesisListenerAutoConfiguration.class)
@ConditionalOnBean(KinesisListenerEndpointRegistry.class)
public class KinesisActuatorAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
	@ConditionalOnEnabledHealthIndicator("kinesis")
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "kinesisHealthIndicator")
		KinesisHealthIndicator kinesisHealthIndicator(KinesisListenerEndpointRegistry registry) {
			return new KinesisHealthIndicator(registry);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
	@ConditionalOnAvailableEndpoint(KinesisEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		KinesisEndpoint kinesisEndpoint(KinesisListenerEndpointRegistry registry) {
			return new KinesisEndpoint(registry);
		}

	}

}
