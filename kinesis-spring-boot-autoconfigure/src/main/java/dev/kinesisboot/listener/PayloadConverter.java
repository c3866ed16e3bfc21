package dev.kinesisboot.listener;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import tools.jackson.databind.json.JsonMapper;

/**
 * Turns record data into listener parameter types: {@code byte[]} and {@link ByteBuffer}
 * as they are, {@code String} as UTF-8, anything else from JSON with the application's
 * {@link JsonMapper}. Thread-safe.
 */
public class PayloadConverter {

	private final JsonMapper jsonMapper;

	/**
	 * Creates a converter.
	 * @param jsonMapper the mapper for JSON payloads
	 */
	public PayloadConverter(JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
	}

	/**
	 * The mapper JSON payloads are bound with.
	 * @return the mapper
	 */
	JsonMapper jsonMapper() {
		return this.jsonMapper;
	}

	/**
	 * Converts record data.
	 * @param data the record data
	 * @param target the parameter type
	 * @return the payload
	 * @throws PayloadConversionException when the data does not fit the type
	 */
	public Object convert(byte[] data, Type target) {
		if (target == byte[].class || target == Object.class) {
			return data;
		}
		if (target == String.class) {
			return new String(data, StandardCharsets.UTF_8);
		}
		if (target == ByteBuffer.class) {
			return ByteBuffer.wrap(data).asReadOnlyBuffer();
		}
		try {
			return this.jsonMapper.readValue(data, this.jsonMapper.constructType(target));
		}
		catch (RuntimeException ex) {
			throw new PayloadConversionException(data, target, ex);
		}
	}

}
