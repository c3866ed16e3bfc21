package dev.kinesisboot.test;

import dev.kinesisboot.autoconfigure.KinesisConnectionDetails;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @ServiceConnection} on a LocalStack container connects the application's Kinesis
 * client to it. Needs a Docker engine: it runs only in the {@code localstack} profile,
 * which {@code .ci/run} adds when {@code docker info} answers (and otherwise says the
 * test was not run, and why).
 */
@Testcontainers(disabledWithoutDocker = false)
@SpringBootTest(classes = LocalStackServiceConnectionDockerTests.App.class)
class LocalStackServiceConnectionDockerTests {

	@Container
	@ServiceConnection
	static LocalStackContainer localStack = new LocalStackContainer(DockerImageName.parse("localstack/localstack:4.4"));

	@Autowired
	KinesisConnectionDetails connectionDetails;

	@Autowired
	KinesisAsyncClient client;

	@Test
	void theKinesisClientTalksToTheContainer() {
		assertThat(this.connectionDetails.getEndpoint()).isEqualTo(localStack.getEndpoint());
		this.client.createStream((request) -> request.streamName("service-connection").shardCount(1)).join();
		assertThat(this.client.listStreams((request) -> {
		}).join().streamNames()).contains("service-connection");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

}
