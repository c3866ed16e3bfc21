package dev.kinesisboot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kinesisboot.checkpoint.CheckpointerFactory;
import dev.kinesisboot.listener.DefaultKinesisListenerContainerFactory;
import dev.kinesisboot.listener.KinesisListener;
import dev.kinesisboot.listener.PayloadConverter;
import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.testsupport.LocalKinesisProperties;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Listener calls against kinesis-local with {@code spring.threads.virtual.enabled=true}:
 * on virtual threads on Java 21 or later (on each consumer's handler pool before that),
 * or on the application's executor given to a container factory; either way the records
 * of a partition key arrive in order.
 */
@RequiresLocalServers(LocalServer.KINESIS)
@SpringBootTest(classes = KinesisListenerThreadsIntegrationTests.TestApplication.class)
@DirtiesContext
class KinesisListenerThreadsIntegrationTests {

	static final Map<String, String> STREAMS = Map.of("default", TestNames.unique("t-default"), "own",
			TestNames.unique("t-own"));

	static final int KEYS = 4;

	static final int PER_KEY = 15;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		LocalKinesisProperties.register(registry);
		registry.add("spring.threads.virtual.enabled", () -> "true");
		registry.add("kinesis.consumer.create-stream-shard-count", () -> "2");
		STREAMS.forEach((key, name) -> registry.add("test.streams." + key, () -> name));
	}

	@Autowired
	KinesisTemplate template;

	@Autowired
	Listeners listeners;

	@Test
	void withVirtualThreadsOnListenerCallsRunOnThemAndKeepTheOrderOfEachKey() {
		send(STREAMS.get("default"));

		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertInOrderPerKey(this.listeners.received.get("default")));
		if (Runtime.version().feature() >= 21) {
			assertThat(this.listeners.threads.get("default")).allSatisfy((thread) -> {
				assertThat(thread.getName()).startsWith("kinesis-listener-");
				assertThat(Thread.class.getMethod("isVirtual").invoke(thread)).isEqualTo(true);
			});
		}
		else {
			// Spring Boot turns virtual threads on from Java 21 only: the handler pool
			// stays
			assertThat(this.listeners.threads.get("default"))
				.allSatisfy((thread) -> assertThat(thread.getName()).contains("-handler"));
		}
	}

	@Test
	void aContainerFactoryWithTheApplicationsExecutorRunsListenerCallsOnIt() {
		send(STREAMS.get("own"));

		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertInOrderPerKey(this.listeners.received.get("own")));
		assertThat(this.listeners.threads.get("own"))
			.allSatisfy((thread) -> assertThat(thread.getName()).startsWith("app-listener-"));
	}

	private void send(String stream) {
		for (int i = 0; i < PER_KEY; i++) {
			List<CompletableFuture<?>> sends = new ArrayList<>();
			for (int key = 0; key < KEYS; key++) {
				sends.add(this.template.send(stream, "key-" + key, "key-" + key + ":" + i));
			}
			// one record per key in flight, so each key is stored in the order sent
			sends.forEach(CompletableFuture::join);
		}
	}

	private static void assertInOrderPerKey(List<KinesisRecord<String>> received) {
		assertThat(received).hasSize(KEYS * PER_KEY);
		for (int key = 0; key < KEYS; key++) {
			String prefix = "key-" + key + ":";
			List<String> ofKey = received.stream()
				.map(KinesisRecord::payload)
				.filter((payload) -> payload.startsWith(prefix))
				.toList();
			List<String> expected = new ArrayList<>();
			for (int i = 0; i < PER_KEY; i++) {
				expected.add(prefix + i);
			}
			assertThat(ofKey).containsExactlyElementsOf(expected);
		}
	}

	static class Listeners {

		final Map<String, List<KinesisRecord<String>>> received = Map.of("default", new CopyOnWriteArrayList<>(), "own",
				new CopyOnWriteArrayList<>());

		final Map<String, Set<Thread>> threads = Map.of("default", ConcurrentHashMap.newKeySet(), "own",
				ConcurrentHashMap.newKeySet());

		@KinesisListener(id = "threads-default", streams = "${test.streams.default}")
		void onDefault(KinesisRecord<String> record) {
			this.threads.get("default").add(Thread.currentThread());
			this.received.get("default").add(record);
		}

		@KinesisListener(id = "threads-own", streams = "${test.streams.own}", containerFactory = "ownExecutorFactory")
		void onOwn(KinesisRecord<String> record) {
			this.threads.get("own").add(Thread.currentThread());
			this.received.get("own").add(record);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		Listeners listeners() {
			return new Listeners();
		}

		@Bean(destroyMethod = "shutdown")
		ExecutorService appListenerExecutor() {
			AtomicInteger count = new AtomicInteger();
			return Executors.newFixedThreadPool(2,
					(task) -> new Thread(task, "app-listener-" + count.incrementAndGet()));
		}

		@Bean
		DefaultKinesisListenerContainerFactory ownExecutorFactory(KinesisAsyncClient client,
				CheckpointerFactory checkpointerFactory, ExecutorService appListenerExecutor,
				KinesisProperties properties) {
			DefaultKinesisListenerContainerFactory factory = new DefaultKinesisListenerContainerFactory(client,
					checkpointerFactory, new PayloadConverter(JsonMapper.builder().build()));
			factory.setConsumerOptions(KinesisOptionsMapper.consumerOptions(properties.getConsumer()));
			factory.setCreateStreams(true, 2);
			factory.setListenerTaskExecutor(appListenerExecutor);
			return factory;
		}

	}

}
