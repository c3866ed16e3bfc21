package dev.kinesisboot.aggregation;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.testsupport.AsyncKinesisFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.Record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The record formats of async-kinesis 2.5.6, against what it wrote and yielded itself
 * (copied into src/test/resources/async-kinesis).
 */
class AsyncKinesisFormatTests {

	private static final JsonMapper MAPPER = AsyncKinesisFixtures.MAPPER;

	/**
	 * Each processor's fixture, the format that splits its records and the format whose
	 * values its payloads are.
	 */
	static Stream<Arguments> processors() {
		return Stream.of(Arguments.of("StringProcessor.json", RecordFormat.STRING, RecordFormat.STRING),
				Arguments.of("JsonProcessor.json", RecordFormat.JSON, RecordFormat.JSON),
				Arguments.of("JsonLineProcessor.json", RecordFormat.JSON_LINES, RecordFormat.JSON_LINES),
				Arguments.of("JsonListProcessor.json", RecordFormat.JSON_LIST, RecordFormat.JSON_LIST),
				Arguments.of("MsgpackProcessor.json", RecordFormat.MSGPACK, RecordFormat.MSGPACK),
				Arguments.of("KPLJsonProcessor.json", RecordFormat.KPL, RecordFormat.JSON),
				Arguments.of("KPLStringProcessor.json", RecordFormat.KPL, RecordFormat.STRING));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("processors")
	void everyFixtureRecordDecodesToExactlyWhatAsyncKinesisYielded(String file, RecordFormat framing,
			RecordFormat values) {
		JsonNode fixture = AsyncKinesisFixtures.read(file);
		List<Record> raw = AsyncKinesisFixtures.rawRecords(fixture);
		int checked = 0;
		for (JsonNode yielded : fixture.get("yielded_by_async_kinesis")) {
			int index = yielded.get("raw_record_index").asInt();
			List<JsonNode> decoded = decode(framing, values, raw.get(index));
			assertThat(decoded).as("%s record %d", file, index).containsExactlyElementsOf(list(yielded.get("values")));
			checked += decoded.size();
		}
		assertThat(fixture.get("yielded_by_async_kinesis")).hasSize(raw.size());
		assertThat(checked).isEqualTo(fixture.get("checks").get("values_yielded_by_consumer").asInt());
	}

	@Test
	void jsonListElementsHandsOverEachElementOfTheYieldedLists() {
		JsonNode fixture = AsyncKinesisFixtures.read("JsonListProcessor.json");
		List<Record> raw = AsyncKinesisFixtures.rawRecords(fixture);
		for (JsonNode yielded : fixture.get("yielded_by_async_kinesis")) {
			Record record = raw.get(yielded.get("raw_record_index").asInt());
			List<KinesisRecord<byte[]>> elements = RecordFormat.JSON_LIST_ELEMENTS.expander()
				.expand("s", "shard", record);
			assertThat(elements.stream().map((element) -> RecordFormat.JSON.readValue(element.data(), MAPPER)))
				.containsExactlyElementsOf(list(yielded.get("values").get(0)));
			assertThat(elements).extracting(KinesisRecord::subSequenceNumber)
				.containsExactlyElementsOf(indexes(elements.size()));
		}
	}

	@Test
	void integersBeyondLongAndDoubleStayExact() {
		JsonNode lines = AsyncKinesisFixtures.read("JsonLineProcessor.json");
		List<JsonNode> all = new ArrayList<>();
		for (Record record : AsyncKinesisFixtures.rawRecords(lines)) {
			all.addAll(decode(RecordFormat.JSON_LINES, RecordFormat.JSON_LINES, record));
		}
		assertThat(withId(all, 26).get("huge").bigIntegerValue()).isEqualTo(new BigInteger("18446744073709551617"));
		assertThat(withId(all, 15).get("min_i64").longValue()).isEqualTo(Long.MIN_VALUE);
		assertThat(withId(all, 15).get("big").longValue()).isEqualTo(9007199254740993L);
		JsonNode msgpack = AsyncKinesisFixtures.read("MsgpackProcessor.json");
		List<JsonNode> unpacked = new ArrayList<>();
		for (Record record : AsyncKinesisFixtures.rawRecords(msgpack)) {
			unpacked.addAll(decode(RecordFormat.MSGPACK, RecordFormat.MSGPACK, record));
		}
		assertThat(unpacked).anySatisfy((value) -> assertThat(
				value.isIntegralNumber() && value.canConvertToLong() && value.longValue() == 9007199254740993L)
			.isTrue());
		assertThat(withId(unpacked, 15).get("max_i64").longValue()).isEqualTo(Long.MAX_VALUE);
	}

	@Test
	void msgpackWritesTheFixtureRecordsByteForByte() {
		JsonNode fixture = AsyncKinesisFixtures.read("MsgpackProcessor.json");
		List<Record> raw = AsyncKinesisFixtures.rawRecords(fixture);
		for (int index = 0; index < raw.size(); index++) {
			List<byte[]> payloads = new ArrayList<>();
			for (JsonNode item : itemsOf(fixture, index)) {
				payloads.add(RecordFormat.MSGPACK.writeValue(item, MAPPER));
			}
			List<byte[]> records = RecordFormat.MSGPACK.pack("key", payloads, RecordAggregator.DEFAULT_MAX_SIZE);
			assertThat(records).hasSize(1);
			assertThat(records.get(0)).as("record %d", index).isEqualTo(raw.get(index).data().asByteArray());
		}
	}

	@Test
	void jsonLinesFramingEndsEveryDocumentWithOneNewline() {
		List<byte[]> records = RecordFormat.JSON_LINES.pack("key",
				List.of(bytes("{\"a\": 1}"), bytes("\"x\""), bytes("null")), 1024);
		assertThat(records).hasSize(1);
		assertThat(new String(records.get(0), StandardCharsets.UTF_8)).isEqualTo("{\"a\": 1}\n\"x\"\nnull\n");
		assertThat(RecordFormat.JSON_LINES.pack("key", List.of(bytes("1")), 1024).get(0)).isEqualTo(bytes("1\n"));
	}

	@Test
	void jsonLinesFixtureRecordsFollowTheSameFraming() {
		JsonNode fixture = AsyncKinesisFixtures.read("JsonLineProcessor.json");
		for (Record record : AsyncKinesisFixtures.rawRecords(fixture)) {
			byte[] data = record.data().asByteArray();
			List<KinesisRecord<byte[]>> lines = RecordFormat.JSON_LINES.expander().expand("s", "shard", record);
			List<byte[]> payloads = lines.stream().map(KinesisRecord::data).toList();
			assertThat(RecordFormat.JSON_LINES.pack("key", payloads, RecordAggregator.DEFAULT_MAX_SIZE))
				.containsExactly(data);
		}
	}

	@Test
	void jsonListFramingIsOneArrayWithCommaAndSpaceBetweenElements() {
		List<byte[]> records = RecordFormat.JSON_LIST.pack("key",
				List.of(bytes("true"), bytes("false"), bytes("{\"k\": [1, 2]}")), 1024);
		assertThat(records).hasSize(1);
		assertThat(new String(records.get(0), StandardCharsets.UTF_8)).isEqualTo("[true, false, {\"k\": [1, 2]}]");
		JsonNode fixture = AsyncKinesisFixtures.read("JsonListProcessor.json");
		for (Record record : AsyncKinesisFixtures.rawRecords(fixture)) {
			List<byte[]> elements = RecordFormat.JSON_LIST_ELEMENTS.expander()
				.expand("s", "shard", record)
				.stream()
				.map(KinesisRecord::data)
				.toList();
			assertThat(RecordFormat.JSON_LIST.pack("key", elements, RecordAggregator.DEFAULT_MAX_SIZE))
				.containsExactly(record.data().asByteArray());
		}
	}

	@Test
	void netstringFramesAreDecimalLengthColonPayloadComma() {
		List<byte[]> records = RecordFormat.NETSTRING.pack("key", List.of(bytes("hello"), new byte[0], bytes("5:a,")),
				1024);
		assertThat(records).hasSize(1);
		assertThat(new String(records.get(0), StandardCharsets.UTF_8)).isEqualTo("5:hello,0:,4:5:a,,");
		byte[] large = new byte[3096];
		byte[] framed = RecordFormat.NETSTRING.pack("key", List.of(large), 4096).get(0);
		assertThat(new String(framed, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("3096:");
		assertThat(framed).hasSize(3096 + 6);
		assertThat(framed[framed.length - 1]).isEqualTo((byte) ',');
	}

	@ParameterizedTest
	@EnumSource(value = RecordFormat.class, names = { "JSON_LINES", "JSON_LIST", "NETSTRING", "MSGPACK" })
	void packedRecordsNeverPassTheirMaximumSize(RecordFormat format) {
		List<byte[]> payloads = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			payloads.add(format.writeValue("item-" + i + "-" + "x".repeat(i % 37), MAPPER));
		}
		int maxSize = 1000;
		List<byte[]> records = format.pack("key", payloads, maxSize);
		assertThat(records).hasSizeGreaterThan(1)
			.allSatisfy((record) -> assertThat(record.length).isLessThanOrEqualTo(maxSize));
		List<JsonNode> back = new ArrayList<>();
		RecordFormat reader = (format == RecordFormat.JSON_LIST) ? RecordFormat.JSON_LIST_ELEMENTS : format;
		for (byte[] data : records) {
			for (KinesisRecord<byte[]> part : reader.expander().expand("s", "shard", record(data))) {
				back.add(format.readValue(part.data(), MAPPER));
			}
		}
		assertThat(back).hasSize(200);
		assertThat(back.get(199).asString()).isEqualTo("item-199-" + "x".repeat(199 % 37));
	}

	@ParameterizedTest
	@EnumSource(value = RecordFormat.class, names = { "JSON_LINES", "JSON_LIST", "NETSTRING", "MSGPACK", "KPL" })
	void aPayloadTooLargeForOneRecordIsRefusedNamingItsSizeAndTheLimit(RecordFormat format) {
		assertThatIllegalArgumentException().isThrownBy(() -> format.pack("key", List.of(new byte[2000]), 1024))
			.withMessageContaining("2000 bytes")
			.withMessageContaining("1024");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("processors")
	void whatWeWriteReadsBackToTheSameValues(String file, RecordFormat framing, RecordFormat values) {
		JsonNode fixture = AsyncKinesisFixtures.read(file);
		List<JsonNode> items = new ArrayList<>();
		for (JsonNode put : fixture.get("items_put")) {
			if (put.get("accepted").asBoolean()) {
				items.add(put.get("item"));
			}
		}
		List<byte[]> payloads = new ArrayList<>();
		for (JsonNode item : items) {
			payloads.add(values.writeValue(item, MAPPER));
		}
		RecordFormat reader = (framing == RecordFormat.JSON_LIST) ? RecordFormat.JSON_LIST_ELEMENTS : framing;
		List<JsonNode> back = new ArrayList<>();
		for (byte[] data : framing.pack("key", payloads, 25 * 1024)) {
			for (KinesisRecord<byte[]> part : reader.expander().expand("s", "shard", record(data))) {
				back.add(values.readValue(part.data(), MAPPER));
			}
		}
		if (values == RecordFormat.STRING) {
			// a string record holds text: non-text items come back as their JSON text
			assertThat(back).containsExactlyElementsOf(items.stream()
				.map((item) -> item.isString() ? item : MAPPER.getNodeFactory().stringNode(item.toString()))
				.toList());
		}
		else {
			assertThat(back).containsExactlyElementsOf(items);
		}
	}

	@Test
	void msgpackRefusesAnIntegerBeyond64BitsAsAsyncKinesisDoes() {
		JsonNode huge = MAPPER.readTree("{\"id\": 26, \"huge\": 18446744073709551617}");
		assertThatIllegalArgumentException().isThrownBy(() -> RecordFormat.MSGPACK.writeValue(huge, MAPPER))
			.withMessageContaining("18446744073709551617")
			.withMessageContaining("64 bits");
	}

	@Test
	void aRecordThatIsNotNetstringFramesIsHandedOverWholeAndReported() {
		byte[] data = bytes("5:hello,3:ab");
		List<String> reasons = new ArrayList<>();
		List<KinesisRecord<byte[]>> records = RecordFormat.NETSTRING.expander((record, reason) -> reasons.add(reason))
			.expand("s", "shard", record(data));
		assertThat(records).singleElement().satisfies((record) -> {
			assertThat(record.data()).isEqualTo(data);
			assertThat(record.subSequenceNumber()).isZero();
		});
		assertThat(reasons).singleElement().asString().contains("netstring").contains("byte 8");
	}

	@Test
	void aNetstringLengthWithALeadingZeroIsNotAFrame() {
		List<String> reasons = new ArrayList<>();
		RecordFormat.NETSTRING.expander((record, reason) -> reasons.add(reason))
			.expand("s", "shard", record(bytes("05:hello,")));
		assertThat(reasons).singleElement().asString().contains("leading zero");
	}

	@Test
	void missingMsgpackCoreIsReportedWithTheDependencyToAdd() {
		ClassLoader withoutMsgpack = new org.springframework.boot.test.context.FilteredClassLoader("org.msgpack");
		assertThatIllegalStateException().isThrownBy(() -> MsgpackCodec.checkAvailable(withoutMsgpack))
			.withMessageContaining("org.msgpack:msgpack-core")
			.withMessageContaining("add the dependency");
	}

	@Test
	void aRecordThatIsNotAJsonArrayIsHandedOverWholeAndReported() {
		byte[] data = bytes("{\"not\": \"a list\"}");
		List<String> reasons = new ArrayList<>();
		List<KinesisRecord<byte[]>> records = RecordFormat.JSON_LIST_ELEMENTS
			.expander((record, reason) -> reasons.add(reason))
			.expand("s", "shard", record(data));
		assertThat(records).singleElement().satisfies((record) -> assertThat(record.data()).isEqualTo(data));
		assertThat(reasons).singleElement().asString().contains("JSON array");
	}

	@Test
	void aJsonArrayFollowedByMoreTextIsNotOneJsonArray() {
		List<String> reasons = new ArrayList<>();
		RecordFormat.JSON_LIST_ELEMENTS.expander((record, reason) -> reasons.add(reason))
			.expand("s", "shard", record(bytes("[1, 2] [3]")));
		assertThat(reasons).singleElement().asString().contains("JSON array");
	}

	@Test
	void aMsgpackPayloadWithTrailingBytesIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RecordFormat.MSGPACK.readValue(new byte[] { (byte) 0xc3, (byte) 0xc3 }, MAPPER))
			.withMessageContaining("MessagePack");
	}

	private static List<JsonNode> decode(RecordFormat framing, RecordFormat values, Record record) {
		return framing.expander()
			.expand("stream", "shardId-000000000000", record)
			.stream()
			.map((part) -> values.readValue(part.data(), MAPPER))
			.toList();
	}

	private static JsonNode withId(List<JsonNode> values, int id) {
		return values.stream()
			.filter((value) -> value.isObject() && value.path("id").asInt(-1) == id)
			.findFirst()
			.orElseThrow();
	}

	private static List<JsonNode> itemsOf(JsonNode fixture, int rawIndex) {
		List<JsonNode> items = new ArrayList<>();
		for (JsonNode put : fixture.get("items_put")) {
			if (put.get("accepted").asBoolean() && put.get("raw_record_index").asInt() == rawIndex) {
				items.add(put.get("item"));
			}
		}
		return items;
	}

	private static List<JsonNode> list(JsonNode array) {
		List<JsonNode> values = new ArrayList<>();
		array.forEach(values::add);
		return values;
	}

	private static List<Long> indexes(int count) {
		Long[] indexes = new Long[count];
		Arrays.setAll(indexes, (i) -> (long) i);
		return List.of(indexes);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static Record record(byte[] data) {
		return Record.builder()
			.sequenceNumber("1")
			.partitionKey("key")
			.data(SdkBytes.fromByteArray(data))
			.approximateArrivalTimestamp(java.time.Instant.EPOCH)
			.build();
	}

}
