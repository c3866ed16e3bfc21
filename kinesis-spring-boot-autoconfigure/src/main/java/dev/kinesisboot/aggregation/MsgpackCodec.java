package dev.kinesisboot.aggregation;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.CodingErrorAction;
import java.util.Map;

import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.ArrayBufferOutput;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * MessagePack values as Jackson trees, written as Python's {@code msgpack.packb(item,
 * use_bin_type=True)} writes them (smallest integer forms, floats always as float64, text
 * as str, bytes as bin) and read as {@code msgpack.unpackb(data, raw=False)} reads them.
 * Integers stay exact: up to unsigned 64 bits, as MessagePack allows. Needs
 * {@code org.msgpack:msgpack-core}, an optional dependency: call
 * {@link #checkAvailable(ClassLoader)} before anything else. Thread-safe.
 */
public final class MsgpackCodec {

	/** The dependency that MessagePack support needs, for error messages. */
	public static final String DEPENDENCY = "org.msgpack:msgpack-core";

	private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

	private MsgpackCodec() {
	}

	/**
	 * Checks that msgpack-core can be loaded.
	 * @param classLoader where to look
	 * @throws IllegalStateException naming the missing dependency and how to add it
	 */
	public static void checkAvailable(ClassLoader classLoader) {
		try {
			Class.forName("org.msgpack.core.MessagePack", false, classLoader);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			throw new IllegalStateException("MessagePack payloads need " + DEPENDENCY
					+ " on the classpath, and it is missing: add the dependency " + DEPENDENCY
					+ " (0.9.10 or later; with Maven <groupId>org.msgpack</groupId><artifactId>msgpack-core</artifactId>)"
					+ ", or choose another record format");
		}
	}

	/**
	 * Reads one MessagePack value.
	 * @param payload the bytes of exactly one value
	 * @param nodes makes the tree
	 * @return the value
	 * @throws IllegalArgumentException when the bytes are not exactly one MessagePack
	 * value
	 */
	public static JsonNode decode(byte[] payload, JsonNodeFactory nodes) {
		MessagePack.UnpackerConfig config = new MessagePack.UnpackerConfig()
			.withActionOnMalformedString(CodingErrorAction.REPORT)
			.withActionOnUnmappableString(CodingErrorAction.REPORT);
		try (MessageUnpacker unpacker = config.newUnpacker(payload)) {
			JsonNode value = read(unpacker, nodes);
			if (unpacker.hasNext()) {
				throw new IllegalArgumentException("not one MessagePack value: "
						+ (payload.length - unpacker.getTotalReadBytes()) + " bytes follow the first value");
			}
			return value;
		}
		catch (IOException | MessagePackException ex) {
			throw new IllegalArgumentException("not a valid MessagePack value: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Writes one value.
	 * @param value the value
	 * @return its MessagePack bytes
	 * @throws IllegalArgumentException when the value holds what MessagePack cannot (an
	 * integer beyond 64 bits, a POJO node)
	 */
	public static byte[] encode(JsonNode value) {
		ArrayBufferOutput out = new ArrayBufferOutput();
		try (MessagePacker packer = MessagePack.newDefaultPacker(out)) {
			write(packer, value);
			packer.flush();
		}
		catch (IOException ex) {
			throw new IllegalStateException("MessagePack writing failed in memory", ex);
		}
		return out.toByteArray();
	}

	private static JsonNode read(MessageUnpacker unpacker, JsonNodeFactory nodes) throws IOException {
		MessageFormat format = unpacker.getNextFormat();
		switch (format.getValueType()) {
			case NIL -> {
				unpacker.unpackNil();
				return nodes.nullNode();
			}
			case BOOLEAN -> {
				return nodes.booleanNode(unpacker.unpackBoolean());
			}
			case INTEGER -> {
				if (format == MessageFormat.UINT64) {
					return integer(unpacker.unpackBigInteger(), nodes);
				}
				return integer(BigInteger.valueOf(unpacker.unpackLong()), nodes);
			}
			case FLOAT -> {
				return nodes.numberNode(unpacker.unpackDouble());
			}
			case STRING -> {
				return nodes.stringNode(unpacker.unpackString());
			}
			case BINARY -> {
				return nodes.binaryNode(unpacker.readPayload(unpacker.unpackBinaryHeader()));
			}
			case ARRAY -> {
				int size = unpacker.unpackArrayHeader();
				ArrayNode array = nodes.arrayNode(size);
				for (int i = 0; i < size; i++) {
					array.add(read(unpacker, nodes));
				}
				return array;
			}
			case MAP -> {
				int size = unpacker.unpackMapHeader();
				ObjectNode object = nodes.objectNode();
				for (int i = 0; i < size; i++) {
					JsonNode key = read(unpacker, nodes);
					if (key.isContainer()) {
						throw new IllegalArgumentException(
								"a MessagePack map key is " + key.getNodeType() + "; only scalar keys are supported");
					}
					object.set(key.isString() ? key.stringValue() : key.asString(), read(unpacker, nodes));
				}
				return object;
			}
			default -> throw new IllegalArgumentException(
					"MessagePack extension types are not supported (found " + format + ")");
		}
	}

	/** As Jackson reads JSON numbers: int when it fits, else long, else BigInteger. */
	private static JsonNode integer(BigInteger value, JsonNodeFactory nodes) {
		if (value.bitLength() < Integer.SIZE) {
			return nodes.numberNode(value.intValue());
		}
		if (value.bitLength() < Long.SIZE) {
			return nodes.numberNode(value.longValue());
		}
		return nodes.numberNode(value);
	}

	private static void write(MessagePacker packer, JsonNode value) throws IOException {
		if (value == null || value.isNull() || value.isMissingNode()) {
			packer.packNil();
		}
		else if (value.isBoolean()) {
			packer.packBoolean(value.booleanValue());
		}
		else if (value.isIntegralNumber()) {
			BigInteger integer = value.bigIntegerValue();
			if (integer.bitLength() < Long.SIZE) {
				packer.packLong(integer.longValue());
			}
			else if (integer.signum() > 0 && integer.compareTo(UINT64_MAX) <= 0) {
				packer.packBigInteger(integer);
			}
			else {
				throw new IllegalArgumentException("Integer " + integer
						+ " does not fit MessagePack, whose integers have at most 64 bits; send it as a string");
			}
		}
		else if (value.isNumber()) {
			packer.packDouble(value.doubleValue());
		}
		else if (value.isString()) {
			packer.packString(value.stringValue());
		}
		else if (value.isBinary()) {
			byte[] bytes = value.binaryValue();
			packer.packBinaryHeader(bytes.length);
			packer.writePayload(bytes);
		}
		else if (value.isArray()) {
			packer.packArrayHeader(value.size());
			for (JsonNode element : value) {
				write(packer, element);
			}
		}
		else if (value.isObject()) {
			packer.packMapHeader(value.size());
			for (Map.Entry<String, JsonNode> property : value.properties()) {
				packer.packString(property.getKey());
				write(packer, property.getValue());
			}
		}
		else {
			throw new IllegalArgumentException(
					"A " + value.getNodeType() + " node cannot be written as MessagePack; convert it to plain values");
		}
	}

}
