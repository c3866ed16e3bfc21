package dev.kinesisboot.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample app as Spring Boot's AOT processing left it ({@code process-aot} runs in
 * this module's build, before the jar is repackaged): the runnable jar, started on the
 * JVM with {@code -Dspring.aot.enabled=true}, runs from the generated bean definitions,
 * and its {@code @KinesisListener} receives an order posted over HTTP. The hints written
 * for a native image let it call the listener method.
 */
@RequiresLocalServers(LocalServer.KINESIS)
class SampleAotIntegrationTests {

	private static final String STREAM = TestNames.unique("sample-aot");

	private static final Path HINTS = Path
		.of("target/classes/META-INF/native-image/dev.kinesisboot/sample-app/reachability-metadata.json");

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final HttpClient http = HttpClient.newHttpClient();

	private static Process application;

	private static Path log;

	private static int port;

	@BeforeAll
	static void startTheAotProcessedJar() throws IOException {
		assertThat(
				Path.of("target/classes/dev/kinesisboot/sample/SampleApplication__ApplicationContextInitializer.class"))
			.as("AOT-generated initializer; run the build without -Dspring-boot.aot.skip")
			.exists();
		try (ServerSocket free = new ServerSocket(0)) {
			port = free.getLocalPort();
		}
		log = Path.of("target", "sample-aot.log");
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dspring.aot.enabled=true",
				"-XX:TieredStopAtLevel=1", "-jar", executableJar().toString(), "--spring.profiles.active=local",
				"--server.port=" + port, "--orders.stream=" + STREAM,
				"--kinesis.endpoint=" + LocalServer.KINESIS.endpoint(), "--kinesis.consumer.poll-interval=100ms"));
		application = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
			assertThat(application.isAlive()).as("the application is running; its log:%n%s", logText()).isTrue();
			assertThat(logText()).contains("Started SampleApplication");
		});
	}

	@AfterAll
	static void stopTheApplication() throws InterruptedException {
		if (application != null) {
			application.destroy();
			if (!application.waitFor(30, TimeUnit.SECONDS)) {
				application.destroyForcibly();
			}
		}
	}

	@Test
	void applicationRunsFromTheAotGeneratedContext() throws IOException {
		assertThat(logText()).contains("Starting AOT-processed SampleApplication");
	}

	@Test
	void postedOrderReachesTheListenerRegisteredUnderAot() throws Exception {
		HttpResponse<String> posted = http.send(HttpRequest.newBuilder(uri("/orders"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"customerId\":\"c-aot\",\"amount\":7.50}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(get("/orders/received")).contains("\"customerId\":\"c-aot\""));
		JsonNode container = json.readTree(get("/actuator/kinesis")).path("containers").get(0);
		assertThat(container.path("id").asString()).isEqualTo("orders");
		assertThat(container.path("streams").get(0).path("stream").asString()).isEqualTo(STREAM);
	}

	@Test
	void nativeImageHintsLetTheListenerMethodBeCalledAndItsPayloadBound() throws IOException {
		JsonNode reflection = json.readTree(HINTS.toFile()).path("reflection");
		assertThat(typeHint(reflection, OrderListener.class).path("methods").toString())
			.contains("\"name\":\"onOrder\"", "\"parameterTypes\":[\"" + OrderEvent.class.getName() + "\"]");
		assertThat(typeHint(reflection, OrderEvent.class).path("methods").toString()).contains("\"name\":\"orderId\"");
	}

	private static JsonNode typeHint(JsonNode reflection, Class<?> type) {
		for (JsonNode hint : reflection) {
			if (type.getName().equals(hint.path("type").asString())) {
				return hint;
			}
		}
		throw new AssertionError("no reflection hint for " + type.getName() + " in " + HINTS);
	}

	private static Path executableJar() throws IOException {
		try (Stream<Path> files = Files.list(Path.of("target"))) {
			return files.filter((file) -> file.getFileName().toString().matches("sample-app-.*-exec\\.jar"))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("no sample-app-*-exec.jar in target; run mvn package"));
		}
	}

	private static String logText() throws IOException {
		return Files.readString(log);
	}

	private static String get(String path) throws Exception {
		return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
	}

	private static URI uri(String path) {
		return URI.create("http://127.0.0.1:" + port + path);
	}

}
