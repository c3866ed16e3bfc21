package dev.kinesisboot.sample;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample app against kinesis-local: an order posted over HTTP goes through the stream
 * to the listener, and the Prometheus scrape, the health contributor and the
 * {@code kinesis} actuator endpoint show it. The tests share one order so the counters
 * they check are exact whatever order they run in.
 */
@RequiresLocalServers(LocalServer.KINESIS)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "management.defaults.metrics.export.enabled=true")
@ActiveProfiles("local")
class SampleApplicationIntegrationTests {

	static final String STREAM = TestNames.unique("sample-orders");

	private static final Pattern METRIC_NAME = Pattern.compile("kinesis_[a-z_]+");

	private static HttpResponse<String> posted;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("orders.stream", () -> STREAM);
		registry.add("kinesis.endpoint", () -> LocalServer.KINESIS.endpoint().toString());
		registry.add("kinesis.consumer.poll-interval", () -> "100ms");
	}

	@Value("${local.server.port}")
	private int port;

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void postedOrderReachesTheListenerAndShowsInTheMetrics() throws Exception {
		orderFlowed();
		assertThat(posted.statusCode()).isEqualTo(200);
		assertThat(posted.body()).contains("shardId-", "sequenceNumber");
		String scrape = get("/actuator/prometheus");
		assertThat(scrape).contains("kinesis_producer_records_sent_total{stream_name=\"" + STREAM + "\"} 1.0")
			.contains("kinesis_consumer_records_received_total{shard_id=\"shardId-000000000000\",stream_name=\""
					+ STREAM + "\"} 1.0");
	}

	@Test
	void healthShowsTheListenerContainerUp() throws Exception {
		orderFlowed();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			JsonNode kinesis = this.json.readTree(get("/actuator/health")).path("components").path("kinesis");
			assertThat(kinesis.path("status").asString()).isEqualTo("UP");
			JsonNode container = kinesis.path("details").path("containers").path("orders");
			assertThat(container.path("running").asBoolean()).isTrue();
			JsonNode stream = container.path("streams").path(STREAM);
			assertThat(stream.path("ownedShards").asInt()).isEqualTo(1);
			assertThat(stream.path("knownShards").asInt()).isEqualTo(1);
			assertThat(stream.path("retryingShards").asInt()).isZero();
			assertThat(stream.has("maxMillisBehindLatest")).isTrue();
		});
	}

	@Test
	void kinesisEndpointShowsTheShardAndTheLeaseOfThisWorker() throws Exception {
		orderFlowed();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			String body = get("/actuator/kinesis");
			assertThat(body).doesNotContainIgnoringCase("secret").doesNotContainIgnoringCase("accessKey");
			JsonNode container = this.json.readTree(body).path("containers").get(0);
			assertThat(container.path("id").asString()).isEqualTo("orders");
			JsonNode stream = container.path("streams").get(0);
			assertThat(stream.path("stream").asString()).isEqualTo(STREAM);
			assertThat(stream.path("application").asString()).isEqualTo("order-events");
			String workerId = stream.path("workerId").asString();
			assertThat(workerId).isNotBlank();
			JsonNode shard = stream.path("shards").get(0);
			assertThat(shard.path("shardId").asString()).isEqualTo("shardId-000000000000");
			assertThat(shard.path("state").asString()).isEqualTo("RUNNING");
			assertThat(shard.path("lastSequenceNumber").asString()).isNotBlank();
			JsonNode lease = stream.path("leases").get(0);
			assertThat(lease.path("shardId").asString()).isEqualTo("shardId-000000000000");
			assertThat(lease.path("owner").asString()).isEqualTo(workerId);
		});
	}

	@Test
	void alertsAndDashboardUseOnlyMetricsTheAppPublishes() throws Exception {
		orderFlowed();
		Set<String> scraped = metricNames(get("/actuator/prometheus"));
		Set<String> declared = new TreeSet<>();
		Set<String> lazyCounters = new TreeSet<>();
		for (MetricType type : MetricType.values()) {
			String name = "kinesis_" + type.prometheusName();
			declared.add(name);
			if (type.kind() == MetricType.Kind.HISTOGRAM) {
				List.of("_bucket", "_count", "_sum", "_max").forEach((suffix) -> declared.add(name + suffix));
			}
			if (type.kind() == MetricType.Kind.COUNTER) {
				// counters with an error or resharding label appear only once first
				// incremented
				lazyCounters.add(name);
			}
		}

		Map<String, Object> alerts;
		try (InputStream in = Files.newInputStream(docs("prometheus/kinesis-alerts.yml"))) {
			alerts = new Yaml().load(in);
		}
		List<String> alertExpressions = new ArrayList<>();
		for (Object group : (List<?>) alerts.get("groups")) {
			for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
				alertExpressions.add(String.valueOf(((Map<?, ?>) rule).get("expr")));
			}
		}
		assertThat(alertExpressions).hasSize(3);
		Set<String> alertMetrics = metricNames(String.join("\n", alertExpressions));
		assertThat(alertMetrics).containsExactlyInAnyOrder("kinesis_producer_errors_total",
				"kinesis_consumer_iterator_age_milliseconds", "kinesis_stream_resharding_events_total");
		for (String metric : alertMetrics) {
			assertThat(scraped.contains(metric) || lazyCounters.contains(metric))
				.as("%s is in the scrape or a declared counter", metric)
				.isTrue();
		}

		Set<String> known = new TreeSet<>(scraped);
		known.addAll(declared);
		JsonNode dashboard = this.json.readTree(Files.readString(docs("grafana/kinesis-dashboard.json")));
		List<String> dashboardExpressions = new ArrayList<>();
		for (JsonNode panel : dashboard.path("panels")) {
			for (JsonNode target : panel.path("targets")) {
				dashboardExpressions.add(target.path("expr").asString());
			}
		}
		assertThat(dashboardExpressions).isNotEmpty();
		for (String expression : dashboardExpressions) {
			// one dashboard serves this starter (kinesis_) and async-kinesis
			// (async_kinesis_)
			assertThat(expression).as(expression).contains("${namespace}_").doesNotContain(" kinesis_");
			String withPrefix = expression.replace("${namespace}", "kinesis");
			assertThat(metricNames(withPrefix)).as(expression).isNotEmpty().isSubsetOf(known);
		}
	}

	/**
	 * Posts one order, once for all tests, and waits until the listener got it.
	 */
	private void orderFlowed() throws Exception {
		synchronized (SampleApplicationIntegrationTests.class) {
			if (posted == null) {
				posted = this.http.send(HttpRequest.newBuilder(uri("/orders"))
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString("{\"customerId\":\"c-42\",\"amount\":19.99}"))
					.build(), HttpResponse.BodyHandlers.ofString());
			}
		}
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(get("/orders/received")).contains("\"customerId\":\"c-42\""));
	}

	private static Set<String> metricNames(String text) {
		Set<String> names = new TreeSet<>();
		Matcher matcher = METRIC_NAME.matcher(text);
		while (matcher.find()) {
			names.add(matcher.group());
		}
		return names;
	}

	private static Path docs(String path) {
		// Failsafe runs in sample-app/; an IDE may run from the repository root
		Path fromModule = Path.of("..", "docs", path);
		return Files.exists(fromModule) ? fromModule : Path.of("docs", path);
	}

	private String get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

}
