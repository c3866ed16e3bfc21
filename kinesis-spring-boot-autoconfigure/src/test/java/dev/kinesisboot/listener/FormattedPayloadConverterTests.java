package dev.kinesisboot.listener;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import dev.kinesisboot.aggregation.RecordFormat;
import dev.kinesisboot.record.KinesisRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.Record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How a listener that names a record format gets its payloads.
 */
class FormattedPayloadConverterTests {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	@Test
	void msgpackValuesAreBoundToTheListenersTypeWithTheApplicationsMapper() {
		FormattedPayloadConverter converter = converter(RecordFormat.MSGPACK);
		List<KinesisRecord<byte[]>> records = expand(converter,
				RecordFormat.MSGPACK.pack("k", List.of(RecordFormat.MSGPACK.writeValue(new Order("o-1", 3), MAPPER),
						RecordFormat.MSGPACK.writeValue("plain text", MAPPER)), 1024)
					.get(0));
		assertThat(records).hasSize(2);
		assertThat(converter.convert(records.get(0).data(), Order.class)).isEqualTo(new Order("o-1", 3));
		assertThat(converter.convert(records.get(1).data(), String.class)).isEqualTo("plain text");
		assertThat(converter.convert(records.get(0).data(), String.class)).isEqualTo("{\"id\":\"o-1\",\"amount\":3}");
		assertThat(converter.convert(records.get(0).data(), byte[].class)).isSameAs(records.get(0).data());
	}

	@Test
	void aRecordThatDidNotSplitFailsConversionNamingTheFramingAndTheListenersFormat() {
		FormattedPayloadConverter converter = converter(RecordFormat.NETSTRING);
		byte[] data = "{\"id\":\"o-1\",\"amount\":3}".getBytes(StandardCharsets.UTF_8);
		List<KinesisRecord<byte[]>> records = expand(converter, data);
		assertThat(records).singleElement().satisfies((record) -> assertThat(record.data()).isEqualTo(data));
		assertThatExceptionOfType(PayloadConversionException.class)
			.isThrownBy(() -> converter.convert(records.get(0).data(), Order.class))
			.withMessageContaining("not netstring frames")
			.withMessageContaining("Orders.onOrder reads NETSTRING records")
			.satisfies((ex) -> assertThat(ex.data()).isSameAs(records.get(0).data()));
		// the same bytes from a record that did split convert as usual
		assertThat(converter.convert(data.clone(), Order.class)).isEqualTo(new Order("o-1", 3));
	}

	@Test
	void aMsgpackPayloadThatDoesNotFitTheTypeIsAConversionError() {
		FormattedPayloadConverter converter = converter(RecordFormat.MSGPACK);
		byte[] payload = RecordFormat.MSGPACK.writeValue(List.of(1, 2), MAPPER);
		assertThatExceptionOfType(PayloadConversionException.class)
			.isThrownBy(() -> converter.convert(payload, Order.class))
			.satisfies((ex) -> assertThat(ex.data()).isSameAs(payload));
	}

	private static FormattedPayloadConverter converter(RecordFormat format) {
		return new FormattedPayloadConverter(new PayloadConverter(MAPPER), format, "Orders.onOrder");
	}

	private static List<KinesisRecord<byte[]>> expand(FormattedPayloadConverter converter, byte[] data) {
		return converter.expander()
			.expand("orders", "shardId-000000000000",
					Record.builder()
						.sequenceNumber("1")
						.partitionKey("k")
						.approximateArrivalTimestamp(Instant.EPOCH)
						.data(SdkBytes.fromByteArray(data))
						.build());
	}

	record Order(String id, int amount) {
	}

}
