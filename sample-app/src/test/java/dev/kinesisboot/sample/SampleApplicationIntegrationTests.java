package dev.kinesisboot.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample app against kinesis-local: an order posted over HTTP goes through the stream
 * to the listener, and the Prometheus scrape shows it.
 */
@RequiresLocalServers(LocalServer.KINESIS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "management.defaults.metrics.export.enabled=true")
@ActiveProfiles("local")
class SampleApplicationIntegrationTests {

	static final String STREAM = TestNames.unique("sample-orders");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("orders.stream", () -> STREAM);
		registry.add("kinesis.endpoint", () -> LocalServer.KINESIS.endpoint().toString());
		registry.add("kinesis.consumer.poll-interval", () -> "100ms");
	}

	@Value("${local.server.port}")
	private int port;

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void postedOrderReachesTheListenerAndShowsInTheMetrics() throws Exception {
		HttpResponse<String> posted = this.http.send(HttpRequest.newBuilder(uri("/orders"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"customerId\":\"c-42\",\"amount\":19.99}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(posted.statusCode()).isEqualTo(200);
		assertThat(posted.body()).contains("shardId-", "sequenceNumber");

		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(get("/orders/received")).contains("\"customerId\":\"c-42\""));
		String scrape = get("/actuator/prometheus");
		assertThat(scrape).contains("kinesis_producer_records_sent_total{stream_name=\"" + STREAM + "\"} 1.0")
			.contains("kinesis_consumer_records_received_total{shard_id=\"shardId-000000000000\",stream_name=\""
					+ STREAM + "\"} 1.0");
	}

	private String get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

}
