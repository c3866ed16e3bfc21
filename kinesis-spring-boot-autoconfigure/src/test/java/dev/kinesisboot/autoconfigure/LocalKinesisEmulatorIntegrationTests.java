package dev.kinesisboot.autoconfigure;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kinesis.local-emulator.enabled}: the application installs and starts
 * kinesis-local itself (npm is needed, as for the rest of the build), talks to it, and
 * stops it on shutdown.
 */
class LocalKinesisEmulatorIntegrationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KinesisAutoConfiguration.class))
		.withPropertyValues("kinesis.local-emulator.enabled=true",
				"kinesis.local-emulator.cache-directory=" + Path.of("target/kinesis-local-cache").toAbsolutePath());

	@Test
	void startsKinesisLocalWhenNoEndpointIsSetAndStopsItWithTheContext() {
		URI[] endpoint = new URI[1];
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(LocalKinesisEmulator.class);
			endpoint[0] = context.getBean(LocalKinesisEmulator.class).endpoint();
			KinesisAsyncClient client = context.getBean(KinesisAsyncClient.class);
			assertThat(client.serviceClientConfiguration().endpointOverride()).contains(endpoint[0]);
			client.createStream((request) -> request.streamName("emulated").shardCount(1)).join();
			assertThat(client.listStreams((request) -> {
			}).join().streamNames()).contains("emulated");
		});
		assertThat(answers(endpoint[0])).as("emulator stopped with the context").isFalse();
	}

	@Test
	void aConfiguredEndpointWinsOverTheEmulator() {
		this.runner.withPropertyValues("kinesis.endpoint=http://127.0.0.1:1", "kinesis.region=us-east-1")
			.run((context) -> assertThat(context).doesNotHaveBean(LocalKinesisEmulator.class));
	}

	@Test
	void withoutNpmItFailsNamingWhatIsNeeded(@org.junit.jupiter.api.io.TempDir Path empty) {
		org.assertj.core.api.Assertions.assertThatIllegalStateException()
			.isThrownBy(() -> new LocalKinesisEmulator(empty, 0, "npm-is-not-installed", "node"))
			.withMessageContaining("Could not start kinesis-local")
			.withMessageContaining("needs Node.js and npm on the PATH");
	}

	private static boolean answers(URI endpoint) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
