package dev.kinesisboot.sample;

import dev.kinesisboot.test.LocalKinesisConfiguration;

import org.springframework.boot.SpringApplication;

/**
 * Runs the sample app against a local Kinesis (kinesis-local, from npm, started on first
 * use and stopped with the JVM), with the {@code local} profile: what
 * {@code scripts/run-sample.sh} starts. It lives in the test sources, so the
 * application's jar holds none of it.
 */
public final class TestSampleApplication {

	private TestSampleApplication() {
	}

	public static void main(String[] args) {
		SpringApplication.from(SampleApplication::main)
			.with(LocalKinesisConfiguration.class)
			.withAdditionalProfiles("local")
			.run(args);
	}

}
