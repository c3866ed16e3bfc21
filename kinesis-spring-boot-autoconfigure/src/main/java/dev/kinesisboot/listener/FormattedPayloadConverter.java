package dev.kinesisboot.listener;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import dev.kinesisboot.aggregation.RecordFormat;
import dev.kinesisboot.record.RecordExpander;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The payload conversion and record expansion of a listener that names a
 * {@link RecordFormat}. A record the format's expander could not split is handed over
 * whole; its conversion then fails with a {@link PayloadConversionException} that names
 * the framing problem, so it reaches the error handler with its raw data, as any payload
 * that cannot be converted does. MessagePack payloads are decoded to a tree and bound
 * with the application's mapper. Thread-safe.
 */
final class FormattedPayloadConverter extends PayloadConverter {

	private final PayloadConverter delegate;

	private final RecordFormat format;

	private final String listener;

	/**
	 * The raw data of records handed over whole, with the reason: keyed by identity
	 * (arrays compare by identity), forgotten once the record is gone.
	 */
	private final Map<byte[], String> malformed = Collections.synchronizedMap(new WeakHashMap<>());

	FormattedPayloadConverter(PayloadConverter delegate, RecordFormat format, String listener) {
		super(delegate.jsonMapper());
		this.delegate = delegate;
		this.format = format;
		this.listener = listener;
		try {
			format.checkAvailable();
		}
		catch (IllegalStateException ex) {
			throw new IllegalStateException(
					"@KinesisListener " + listener + " reads " + format + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * The expander of the listener's consumers.
	 * @return the format's expander, noting records that do not split
	 */
	RecordExpander expander() {
		return this.format.expander((record, reason) -> this.malformed.put(record.data(), reason));
	}

	@Override
	public Object convert(byte[] data, Type target) {
		String problem = this.malformed.get(data);
		if (problem != null) {
			throw new PayloadConversionException(data, target,
					new IllegalArgumentException("the record is " + problem + "; @KinesisListener " + this.listener
							+ " reads " + this.format + " records (set its format to the one the producer writes)"));
		}
		if (!this.format.isMsgpack()) {
			return this.delegate.convert(data, target);
		}
		if (target == byte[].class || target == Object.class) {
			return data;
		}
		if (target == ByteBuffer.class) {
			return ByteBuffer.wrap(data).asReadOnlyBuffer();
		}
		JsonMapper mapper = jsonMapper();
		try {
			JsonNode value = this.format.readValue(data, mapper);
			if (target == String.class) {
				return value.isString() ? value.stringValue() : value.toString();
			}
			return mapper.treeToValue(value, mapper.constructType(target));
		}
		catch (RuntimeException ex) {
			throw new PayloadConversionException(data, target, ex);
		}
	}

}
