package dev.kinesisboot.aggregation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.kinesisboot.record.KinesisRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The packings for consumers without KPL support, and their unpackers.
 */
class PayloadPackerTests {

	@Test
	void jsonValuesArePackedOnePerLineAndUnpackedInOrder() {
		NewlineDelimitedJsonPacker packer = new NewlineDelimitedJsonPacker();
		List<Object> values = List.of(Map.of("id", 1), "text with\na line break", 42, List.of("a", "b"));
		List<byte[]> records = packer.packValues(values);
		assertThat(records).singleElement()
			.satisfies((data) -> assertThat(new String(data, StandardCharsets.UTF_8))
				.isEqualTo("{\"id\":1}\n\"text with\\na line break\"\n42\n[\"a\",\"b\"]\n"));
		List<KinesisRecord<byte[]>> unpacked = packer.unpacker()
			.expand("s", "shard", RecordDeaggregatorTests.kinesisRecord("17", "key", records.get(0)));
		assertThat(unpacked).extracting(KinesisRecord::dataAsString)
			.containsExactly("{\"id\":1}", "\"text with\\na line break\"", "42", "[\"a\",\"b\"]");
		assertThat(unpacked).extracting(KinesisRecord::subSequenceNumber).containsExactly(0L, 1L, 2L, 3L);
		assertThat(unpacked).allSatisfy((record) -> {
			assertThat(record.partitionKey()).isEqualTo("key");
			assertThat(record.sequenceNumber()).isEqualTo("17");
		});
	}

	@Test
	void jsonLinesFillRecordsUpToTheMaximumSize() {
		NewlineDelimitedJsonPacker packer = new NewlineDelimitedJsonPacker(
				tools.jackson.databind.json.JsonMapper.builder().build(), 100);
		List<byte[]> documents = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			documents.add(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
		}
		List<byte[]> records = packer.pack(documents);
		assertThat(records).allSatisfy((data) -> assertThat(data.length).isLessThanOrEqualTo(100));
		List<String> lines = new ArrayList<>();
		for (byte[] data : records) {
			packer.unpacker()
				.expand("s", "shard", RecordDeaggregatorTests.kinesisRecord("1", "k", data))
				.forEach((record) -> lines.add(record.dataAsString()));
		}
		assertThat(lines).hasSize(30).startsWith("{\"n\":0}").endsWith("{\"n\":29}");
	}

	@Test
	void jsonDocumentWithALineBreakIsRefusedWithTheFix() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new NewlineDelimitedJsonPacker().pack(List.of("{\n\"a\": 1\n}".getBytes())))
			.withMessageContaining("document 0 holds a line break")
			.withMessageContaining("without indentation");
	}

	@Test
	void linesOfOtherWritersAreReadWithoutCarriageReturnsAndBlankLines() {
		byte[] data = "{\"a\":1}\r\n\n{\"b\":2}".getBytes(StandardCharsets.UTF_8);
		assertThat(new NewlineDelimitedJsonPacker().unpacker()
			.expand("s", "shard", RecordDeaggregatorTests.kinesisRecord("1", "k", data)))
			.extracting(KinesisRecord::dataAsString)
			.containsExactly("{\"a\":1}", "{\"b\":2}");
	}

	@Test
	void binaryPayloadsSurviveLengthPrefixedPackingIncludingEmptyOnes() {
		Random random = new Random(5);
		List<byte[]> payloads = new ArrayList<>();
		for (int i = 0; i < 2_000; i++) {
			byte[] payload = new byte[(i % 100 == 0) ? 0 : random.nextInt(3_000)];
			random.nextBytes(payload);
			payloads.add(payload);
		}
		LengthPrefixedPacker packer = new LengthPrefixedPacker();
		List<byte[]> records = packer.pack(payloads);
		assertThat(records).hasSizeGreaterThan(1)
			.allSatisfy((data) -> assertThat(data.length).isLessThanOrEqualTo(RecordAggregator.DEFAULT_MAX_SIZE));
		List<byte[]> unpacked = new ArrayList<>();
		for (byte[] data : records) {
			packer.unpacker()
				.expand("s", "shard", RecordDeaggregatorTests.kinesisRecord("1", "k", data))
				.forEach((record) -> unpacked.add(record.data()));
		}
		assertThat(unpacked).containsExactlyElementsOf(payloads);
	}

	@Test
	void lengthPrefixedFramesAreFourByteBigEndianLengthsThenTheBytes() {
		byte[] data = new LengthPrefixedPacker().pack(List.of(new byte[] { 7 }, new byte[] { 8, 9 })).get(0);
		assertThat(data).containsExactly(0, 0, 0, 1, 7, 0, 0, 0, 2, 8, 9);
	}

	@Test
	void recordThatIsNotMadeOfFramesIsDeliveredAsItIs() {
		byte[] data = ByteBuffer.allocate(6).putInt(10).put((byte) 1).put((byte) 2).array();
		assertThat(new LengthPrefixedPacker().unpacker()
			.expand("s", "shard", RecordDeaggregatorTests.kinesisRecord("1", "k", data))).singleElement()
			.satisfies((record) -> assertThat(record.data()).isEqualTo(data));
	}

	@Test
	void payloadLargerThanARecordIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new LengthPrefixedPacker(1024).pack(List.of(new byte[1021])))
			.withMessageContaining("Payload 0 of 1021 bytes does not fit a record of at most 1024 bytes");
	}

}
