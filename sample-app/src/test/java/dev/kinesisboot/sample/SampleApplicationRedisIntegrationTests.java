package dev.kinesisboot.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.kinesisboot.checkpoint.CheckpointerFactory;
import dev.kinesisboot.checkpoint.redis.RedisCheckpointer;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample app with the "redis" profile: the order flows and its lease and checkpoint
 * live in Redis.
 */
@RequiresLocalServers({ LocalServer.KINESIS, LocalServer.REDIS })
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles({ "local", "redis" })
class SampleApplicationRedisIntegrationTests {

	static final String STREAM = TestNames.unique("sample-redis");

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("orders.stream", () -> STREAM);
		registry.add("kinesis.endpoint", () -> LocalServer.KINESIS.endpoint().toString());
		registry.add("spring.data.redis.host", () -> LocalServer.REDIS.endpoint().getHost());
		registry.add("spring.data.redis.port", () -> LocalServer.REDIS.endpoint().getPort());
		registry.add("kinesis.consumer.poll-interval", () -> "100ms");
	}

	@Value("${local.server.port}")
	private int port;

	@Autowired
	private CheckpointerFactory checkpointerFactory;

	@Autowired
	private StringRedisTemplate redis;

	@Test
	void orderFlowsWithLeasesAndCheckpointsInRedis() throws Exception {
		assertThat(this.checkpointerFactory.create("order-events", STREAM)).isInstanceOf(RedisCheckpointer.class);
		HttpClient http = HttpClient.newHttpClient();
		HttpResponse<String> posted = http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/orders"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"customerId\":\"c-7\",\"amount\":5}"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(posted.statusCode()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			assertThat(this.redis.keys("kinesis:{order-events:" + STREAM + "}*")).isNotEmpty();
			String checkpoint = (String) this.redis.opsForHash()
				.get("kinesis:{order-events:" + STREAM + "}:shardId-000000000000", "checkpoint");
			assertThat(posted.body()).contains("\"sequenceNumber\":\"" + checkpoint + "\"");
		});
	}

}
