package dev.kinesisboot.test;

import dev.kinesisboot.autoconfigure.KinesisConnectionDetails;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Runs an application against a local Kinesis while you develop, in the manner of Spring
 * Boot's "Testcontainers at development time": from a launcher in your test sources,
 * <pre class="code">
 * public static void main(String[] args) {
 *     SpringApplication.from(MyApplication::main).with(LocalKinesisConfiguration.class).run(args);
 * }
 * </pre> the application connects to the JVM's kinesis-local (started on first use), and
 * the production jar holds none of this.
 */
@TestConfiguration(proxyBeanMethods = false)
public class LocalKinesisConfiguration {

	@Bean
	KinesisConnectionDetails localKinesisConnectionDetails() {
		return LocalKinesisEmulator.shared().connectionDetails();
	}

}
