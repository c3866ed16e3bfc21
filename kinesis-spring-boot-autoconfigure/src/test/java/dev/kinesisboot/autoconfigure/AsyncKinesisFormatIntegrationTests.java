package dev.kinesisboot.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kinesisboot.aggregation.RecordFormat;
import dev.kinesisboot.consumer.ConsumerErrorHandler;
import dev.kinesisboot.listener.KinesisListener;
import dev.kinesisboot.listener.PayloadConversionException;
import dev.kinesisboot.producer.FormatPayloadSerializer;
import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.producer.ProducerOptions;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.testsupport.AsyncKinesisFixtures;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalKinesisProperties;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import software.amazon.awssdk.services.kinesis.model.Record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Listeners that name an async-kinesis record format receive, from records async-kinesis
 * wrote (the fixtures, put again into kinesis-local), what its consumer yielded; a record
 * that is not in the format reaches the error handler with its raw data; and what
 * {@link KinesisTemplate} writes in a format is read back the same way.
 */
@RequiresLocalServers(LocalServer.KINESIS)
@SpringBootTest(classes = AsyncKinesisFormatIntegrationTests.TestApplication.class)
@DirtiesContext
class AsyncKinesisFormatIntegrationTests {

	static final Map<String, String> STREAMS = Map.of("msgpack", TestNames.unique("f-msgpack"), "lines",
			TestNames.unique("f-lines"), "list", TestNames.unique("f-list"), "written", TestNames.unique("f-written"));

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		LocalKinesisProperties.register(registry);
		// byte[] (the fixture records) still goes as it is
		registry.add("kinesis.producer.format", () -> "MSGPACK");
		STREAMS.forEach((key, name) -> registry.add("test.streams." + key, () -> name));
	}

	@AfterAll
	static void deleteStreams(LocalKinesis kinesis) {
		STREAMS.values().forEach(kinesis::deleteStream);
	}

	@Autowired
	KinesisTemplate template;

	@Autowired
	Listeners listeners;

	@Test
	void listenersReceiveWhatAsyncKinesisYieldedFromItsOwnRecords() {
		List<JsonNode> msgpack = putFixture("MsgpackProcessor.json", STREAMS.get("msgpack"));
		List<JsonNode> lines = putFixture("JsonLineProcessor.json", STREAMS.get("lines"));
		List<JsonNode> lists = putFixture("JsonListProcessor.json", STREAMS.get("list"));
		List<JsonNode> elements = new ArrayList<>();
		lists.forEach((list) -> list.forEach(elements::add));

		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			assertThat(this.listeners.msgpack).containsExactlyElementsOf(msgpack);
			assertThat(this.listeners.lines).containsExactlyElementsOf(lines);
			assertThat(this.listeners.lists).containsExactlyElementsOf(lists);
			assertThat(this.listeners.elements).containsExactlyElementsOf(elements);
		});
	}

	@Test
	void aRecordNotInTheListenersFormatReachesTheErrorHandlerWithItsRawData() {
		byte[] broken = "3:ab".getBytes(StandardCharsets.UTF_8);
		this.template.send(STREAMS.get("msgpack"), "broken", broken).join();
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(this.listeners.errors).anySatisfy((error) -> {
				assertThat(error.records()).singleElement()
					.satisfies((record) -> assertThat(record.data()).isEqualTo(broken));
				assertThat(error.error()).isInstanceOf(PayloadConversionException.class)
					.hasMessageContaining("netstring")
					.hasMessageContaining("MSGPACK");
			}));
	}

	@Test
	void whatTheTemplateWritesInAFormatIsReadBackInThatFormat(LocalKinesis kinesis) {
		JsonNode fixture = AsyncKinesisFixtures.read("MsgpackProcessor.json");
		List<JsonNode> items = new ArrayList<>();
		for (JsonNode put : fixture.get("items_put")) {
			if (put.get("accepted").asBoolean()) {
				items.add(put.get("item"));
			}
		}
		String stream = STREAMS.get("written");
		try (KinesisTemplate msgpack = new KinesisTemplate(kinesis.client(),
				ProducerOptions.builder().bufferTime(Duration.ofMillis(20)).aggregationMaxSize(4096).build(), null,
				new FormatPayloadSerializer(RecordFormat.MSGPACK, AsyncKinesisFixtures.MAPPER))) {
			List<PutResult> packed = msgpack.sendAll(stream, "packed", items).join();
			assertThat(packed).hasSizeBetween(2, items.size() - 1);
		}
		// the application's template, with kinesis.producer.format=MSGPACK
		this.template.send(stream, "alone", items.get(0)).join();
		List<JsonNode> expected = new ArrayList<>(items);
		expected.add(items.get(0));
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(this.listeners.written).containsExactlyElementsOf(expected));
		for (Record record : kinesis.readAll(stream)) {
			assertThat(record.data().asByteArray().length + record.partitionKey().length()).isLessThanOrEqualTo(4096);
		}
	}

	/**
	 * Puts a fixture's raw records, in order, into one shard; returns what was yielded.
	 */
	private List<JsonNode> putFixture(String file, String stream) {
		JsonNode fixture = AsyncKinesisFixtures.read(file);
		for (Record record : AsyncKinesisFixtures.rawRecords(fixture)) {
			this.template.send(stream, "one-key", record.data().asByteArray()).join();
		}
		List<JsonNode> yielded = new ArrayList<>();
		for (JsonNode record : fixture.get("yielded_by_async_kinesis")) {
			record.get("values").forEach(yielded::add);
		}
		return yielded;
	}

	record HandledError(List<KinesisRecord<byte[]>> records, Throwable error) {
	}

	static class Listeners {

		final List<JsonNode> msgpack = new CopyOnWriteArrayList<>();

		final List<JsonNode> lines = new CopyOnWriteArrayList<>();

		final List<JsonNode> lists = new CopyOnWriteArrayList<>();

		final List<JsonNode> elements = new CopyOnWriteArrayList<>();

		final List<JsonNode> written = new CopyOnWriteArrayList<>();

		final List<HandledError> errors = new CopyOnWriteArrayList<>();

		@KinesisListener(streams = "${test.streams.msgpack}", format = "MSGPACK")
		void onMsgpack(JsonNode value) {
			this.msgpack.add(value);
		}

		@KinesisListener(streams = "${test.streams.lines}", format = "JSON_LINES")
		void onLine(JsonNode value) {
			this.lines.add(value);
		}

		@KinesisListener(streams = "${test.streams.list}", format = "JSON_LIST")
		void onList(List<JsonNode> list) {
			this.lists.add(AsyncKinesisFixtures.MAPPER.valueToTree(list));
		}

		@KinesisListener(streams = "${test.streams.list}", group = "elements", format = "json-list-elements")
		void onElement(JsonNode element) {
			this.elements.add(element);
		}

		@KinesisListener(streams = "${test.streams.written}", format = "MSGPACK")
		void onWritten(JsonNode value) {
			this.written.add(value);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		Listeners listeners() {
			return new Listeners();
		}

		@Bean
		ConsumerErrorHandler recordingErrorHandler(Listeners listeners) {
			return (records, error, attempt) -> {
				listeners.errors.add(new HandledError(List.copyOf(records), error));
				return ConsumerErrorHandler.Decision.SKIP;
			};
		}

	}

}
