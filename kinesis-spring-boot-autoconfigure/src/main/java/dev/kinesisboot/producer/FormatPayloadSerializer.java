package dev.kinesisboot.producer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.kinesisboot.aggregation.RecordFormat;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes records in a {@link RecordFormat}, such as those of the Python library
 * async-kinesis, so that a consumer using the matching processor reads them. Each payload
 * sent alone becomes one record holding one item in the format's framing
 * ({@code <json>\n} for JSON lines, {@code [<json>]} for a JSON list,
 * {@code <length>:<msgpack>,} for MessagePack); {@link #pack(String, List, int)} (and so
 * {@link KinesisTemplate#sendAll(String, String, List)}) puts many items into as few
 * records as fit. A {@code byte[]} payload is sent as it is: record data already framed.
 *
 * <pre>{@code
 * KinesisProducer producer = KinesisProducer.builder(client).streamName("orders")
 *         .serializer(new FormatPayloadSerializer(RecordFormat.MSGPACK, jsonMapper)).build();
 * }</pre>
 *
 * Thread-safe.
 */
public class FormatPayloadSerializer implements PayloadSerializer {

	private final RecordFormat format;

	private final JsonMapper jsonMapper;

	/**
	 * A serializer.
	 * @param format the record format; {@link RecordFormat#KPL} writes single items as
	 * JSON (aggregation is {@link ProducerOptions#aggregationEnabled()}, or
	 * {@link #pack(String, List, int)})
	 * @param jsonMapper writes JSON, and the trees MessagePack is written from (with
	 * Spring Boot, the application's)
	 * @throws IllegalStateException when the format needs a library that is missing
	 */
	public FormatPayloadSerializer(RecordFormat format, JsonMapper jsonMapper) {
		this.format = Objects.requireNonNull(format, "format");
		this.jsonMapper = Objects.requireNonNull(jsonMapper, "jsonMapper");
		format.checkAvailable();
	}

	/**
	 * The format records are written in.
	 * @return the format
	 */
	public RecordFormat format() {
		return this.format;
	}

	@Override
	public byte[] serialize(Object payload) {
		if (payload instanceof byte[] bytes) {
			return bytes;
		}
		if (this.format == RecordFormat.KPL) {
			return RecordFormat.JSON.writeValue(payload, this.jsonMapper);
		}
		return pack("", List.of(payload), ProducerOptions.MAX_RECORD_BYTES).get(0);
	}

	/**
	 * Writes items into as few records as fit, in order.
	 * @param partitionKey the key the records will be put with
	 * @param payloads the items
	 * @param maxRecordSize the largest record, data plus partition key (UTF-8 bytes), as
	 * Kinesis counts it
	 * @return the record data, in order
	 * @throws IllegalArgumentException when an item does not fit a record
	 */
	public List<byte[]> pack(String partitionKey, List<?> payloads, int maxRecordSize) {
		List<byte[]> encoded = new ArrayList<>(payloads.size());
		for (Object payload : payloads) {
			encoded.add(this.format.writeValue(payload, this.jsonMapper));
		}
		int keyBytes = partitionKey.getBytes(StandardCharsets.UTF_8).length;
		return this.format.pack(partitionKey, encoded, maxRecordSize - keyBytes);
	}

}
