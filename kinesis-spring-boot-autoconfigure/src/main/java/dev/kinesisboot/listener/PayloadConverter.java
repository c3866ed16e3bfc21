package dev.kinesisboot.listener;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import tools.jackson.databind.json.JsonMapper;

/**
 * Turns record data into listener parameter types: {@code byte[]} and {@link ByteBuffer}
 * as they are, {@code String} as UTF-8, {@code Object} as the JSON value, else the text,
 * else the bytes, anything else from JSON with the application's {@link JsonMapper}.
 * Thread-safe.
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
	 * A payload for a parameter that names no type ({@code Object}, {@code ?}): the JSON
	 * value (maps, lists, strings, numbers) when the data is JSON, else the text when it
	 * is UTF-8, else the bytes.
	 */
	private Object untyped(byte[] data) {
		try {
			return this.jsonMapper.readValue(data, Object.class);
		}
		catch (RuntimeException notJson) {
			String text = utf8Text(data);
			return (text != null) ? text : data;
		}
	}

	/**
	 * The data as text when it is well-formed UTF-8.
	 * @param data the data
	 * @return the text, or {@code null} for binary data (or text cut inside a character)
	 */
	static String utf8Text(byte[] data) {
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(data))
				.toString();
		}
		catch (CharacterCodingException binary) {
			return null;
		}
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
		if (target == byte[].class) {
			return data;
		}
		if (target == Object.class) {
			return untyped(data);
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
