package dev.kinesisboot.producer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import software.amazon.awssdk.core.SdkBytes;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends {@code byte[]}, {@link ByteBuffer} and {@link SdkBytes} as they are, a
 * {@link CharSequence} as UTF-8, and any other object as JSON through Jackson.
 * Thread-safe.
 */
public class DefaultPayloadSerializer implements PayloadSerializer {

	private final JsonMapper jsonMapper;

	/**
	 * A serializer with a default {@link JsonMapper}.
	 */
	public DefaultPayloadSerializer() {
		this(JsonMapper.builder().findAndAddModules().build());
	}

	/**
	 * A serializer that writes objects with the given mapper (with Spring Boot, the
	 * application's).
	 * @param jsonMapper the mapper
	 */
	public DefaultPayloadSerializer(JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
	}

	@Override
	public byte[] serialize(Object payload) {
		if (payload instanceof byte[] bytes) {
			return bytes;
		}
		if (payload instanceof CharSequence text) {
			return text.toString().getBytes(StandardCharsets.UTF_8);
		}
		if (payload instanceof ByteBuffer buffer) {
			ByteBuffer copy = buffer.duplicate();
			byte[] bytes = new byte[copy.remaining()];
			copy.get(bytes);
			return bytes;
		}
		if (payload instanceof SdkBytes sdkBytes) {
			return sdkBytes.asByteArray();
		}
		return this.jsonMapper.writeValueAsBytes(payload);
	}

}
