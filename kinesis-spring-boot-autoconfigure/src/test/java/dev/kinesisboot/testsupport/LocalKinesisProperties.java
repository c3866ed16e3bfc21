package dev.kinesisboot.testsupport;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The properties a {@code @SpringBootTest} needs to run listeners against the local
 * Kinesis: its endpoint and credentials, streams created on demand and read from their
 * oldest record, short polls and a short producer buffer.
 */
public final class LocalKinesisProperties {

	private LocalKinesisProperties() {
	}

	/**
	 * Adds the properties.
	 * @param registry the test's property registry
	 */
	public static void register(DynamicPropertyRegistry registry) {
		registry.add("kinesis.endpoint", () -> LocalServer.KINESIS.endpoint().toString());
		registry.add("kinesis.region", () -> "us-east-1");
		registry.add("kinesis.credentials.access-key", () -> "local");
		registry.add("kinesis.credentials.secret-key", () -> "local");
		registry.add("kinesis.consumer.create-stream", () -> "true");
		registry.add("kinesis.consumer.start-position", () -> "TRIM_HORIZON");
		registry.add("kinesis.consumer.poll-interval", () -> "100ms");
		registry.add("kinesis.producer.buffer-time", () -> "20ms");
	}

}
