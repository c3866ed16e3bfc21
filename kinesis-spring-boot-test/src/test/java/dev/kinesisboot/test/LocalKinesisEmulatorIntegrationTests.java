package dev.kinesisboot.test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;

import dev.kinesisboot.autoconfigure.KinesisAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * kinesis-local from npm: installed on first use, started on a free port, answering, and
 * gone after {@code close()}; and an application context pointed at it by
 * {@link LocalKinesisConfiguration}.
 */
class LocalKinesisEmulatorIntegrationTests {

	@Test
	void startsOnAFreePortCreatesStreamsAndStopsOnClose() {
		URI endpoint;
		try (LocalKinesisEmulator emulator = new LocalKinesisEmulator(LocalKinesisEmulator.defaultCacheDirectory(),
				0)) {
			endpoint = emulator.endpoint();
			emulator.createStreams(2, "emulated");
			try (KinesisAsyncClient client = emulator.newClient()) {
				assertThat(client.listShards((request) -> request.streamName("emulated")).join().shards()).hasSize(2);
			}
		}
		assertThat(answers(endpoint)).as("stopped on close").isFalse();
	}

	@Test
	void anApplicationWithTheLocalConfigurationTalksToTheSharedEmulator() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(KinesisAutoConfiguration.class))
			.withUserConfiguration(LocalKinesisConfiguration.class)
			.run((context) -> {
				KinesisAsyncClient client = context.getBean(KinesisAsyncClient.class);
				assertThat(client.serviceClientConfiguration().endpointOverride())
					.contains(LocalKinesisEmulator.shared().endpoint());
				client.createStream((request) -> request.streamName("from-context").shardCount(1)).join();
			});
	}

	@Test
	void withoutNpmItFailsNamingWhatIsNeeded(@TempDir Path empty) {
		assertThatIllegalStateException()
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
