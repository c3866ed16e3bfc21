package dev.kinesisboot.aggregation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.kinesisboot.record.RecordExpander;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How items are laid out in Kinesis records: the framing (how many items one record
 * holds, and how they are separated) and the payload encoding (JSON, text or
 * MessagePack). The formats are those of the Python library async-kinesis's processors,
 * so a service in either language reads what the other wrote:
 * <table>
 * <caption>Formats and their async-kinesis processors</caption>
 * <tr>
 * <th>format</th>
 * <th>processor</th>
 * <th>one record holds</th>
 * </tr>
 * <tr>
 * <td>{@link #JSON}</td>
 * <td>{@code JsonProcessor}</td>
 * <td>one JSON document (KPL aggregated records are unpacked when read)</td>
 * </tr>
 * <tr>
 * <td>{@link #KPL}</td>
 * <td>{@code KPLJsonProcessor}, {@code KPLStringProcessor}</td>
 * <td>a KPL aggregated record of many payloads</td>
 * </tr>
 * <tr>
 * <td>{@link #STRING}</td>
 * <td>{@code StringProcessor}</td>
 * <td>one UTF-8 text</td>
 * </tr>
 * <tr>
 * <td>{@link #JSON_LINES}</td>
 * <td>{@code JsonLineProcessor}</td>
 * <td>JSON documents, each followed by {@code \n}</td>
 * </tr>
 * <tr>
 * <td>{@link #JSON_LIST}, {@link #JSON_LIST_ELEMENTS}</td>
 * <td>{@code JsonListProcessor}</td>
 * <td>one JSON array {@code [a, b]}</td>
 * </tr>
 * <tr>
 * <td>{@link #MSGPACK}</td>
 * <td>{@code MsgpackProcessor}</td>
 * <td>netstring frames {@code <length>:<bytes>,} of MessagePack values</td>
 * </tr>
 * <tr>
 * <td>{@link #NETSTRING}</td>
 * <td>(none)</td>
 * <td>netstring frames of JSON documents</td>
 * </tr>
 * </table>
 * Reading: {@link #expander()} for {@code KinesisConsumer.Builder.recordExpander(..)},
 * then {@link #readValue(byte[], JsonMapper)} for each user record's value. Writing:
 * {@link #writeValue(Object, JsonMapper)} for each item, then
 * {@link #pack(String, List, int)} to frame them into records.
 */
public enum RecordFormat {

	/**
	 * One JSON document per record; KPL aggregated records are unpacked when read (the
	 * consumer's default).
	 */
	JSON(Framing.NONE, Encoding.JSON),

	/**
	 * KPL aggregated records; written with the real partition key of every item, read as
	 * {@link #JSON} reads them. Payloads are JSON.
	 */
	KPL(Framing.KPL, Encoding.JSON),

	/** One UTF-8 text per record, read as it is (a KPL record is not unpacked). */
	STRING(Framing.RAW, Encoding.TEXT),

	/** JSON documents, each followed by a newline; blank lines are skipped when read. */
	JSON_LINES(Framing.LINES, Encoding.JSON),

	/**
	 * One JSON array per record, handed over whole: the listener receives the list (for
	 * example as {@code List<Order>}), as async-kinesis's consumer yields it.
	 */
	JSON_LIST(Framing.LIST_WHOLE, Encoding.JSON),

	/**
	 * One JSON array per record, handed over element by element, each a user record of
	 * its own (sub-sequence number = its index). Written as {@link #JSON_LIST}.
	 */
	JSON_LIST_ELEMENTS(Framing.LIST_ELEMENTS, Encoding.JSON),

	/** Netstring frames of JSON documents. */
	NETSTRING(Framing.NETSTRING, Encoding.JSON),

	/**
	 * Netstring frames of MessagePack values. Needs {@code org.msgpack:msgpack-core}
	 * ({@link MsgpackCodec#DEPENDENCY}).
	 */
	MSGPACK(Framing.NETSTRING, Encoding.MSGPACK);

	/**
	 * Writes JSON documents for {@link NewlineDelimitedJsonPacker}; unused by it here.
	 */
	private static final JsonMapper PLAIN = JsonMapper.builder().build();

	private final Framing framing;

	private final Encoding encoding;

	RecordFormat(Framing framing, Encoding encoding) {
		this.framing = framing;
		this.encoding = encoding;
	}

	/**
	 * Whether values are MessagePack, which needs the optional msgpack-core dependency.
	 * @return {@code true} for {@link #MSGPACK}
	 */
	public boolean isMsgpack() {
		return this.encoding == Encoding.MSGPACK;
	}

	/**
	 * Whether a record's payloads are text to hand over as it is, rather than JSON.
	 * @return {@code true} for {@link #STRING}
	 */
	public boolean isText() {
		return this.encoding == Encoding.TEXT;
	}

	/**
	 * Checks that what this format needs is on the classpath.
	 * @throws IllegalStateException naming the missing dependency and how to add it
	 */
	public void checkAvailable() {
		if (isMsgpack()) {
			MsgpackCodec.checkAvailable(RecordFormat.class.getClassLoader());
		}
	}

	/**
	 * How records of this format become user records. A record that does not have the
	 * framing is handed over whole and logged at WARN, never dropped.
	 * @return the expander
	 */
	public RecordExpander expander() {
		return expander((record, reason) -> {
		});
	}

	/**
	 * How records of this format become user records, telling a listener of records that
	 * do not have the framing (they are handed over whole).
	 * @param onMalformed told of each record handed over whole
	 * @return the expander
	 */
	public RecordExpander expander(MalformedRecordListener onMalformed) {
		return switch (this.framing) {
			case NONE, KPL -> new RecordDeaggregator();
			case RAW, LIST_WHOLE -> RecordExpander.plain();
			case LINES -> new NewlineDelimitedJsonPacker().unpacker();
			case LIST_ELEMENTS -> new JsonListPacker().unpacker(onMalformed);
			case NETSTRING -> new NetstringPacker().unpacker(onMalformed);
		};
	}

	/**
	 * The value of one user record, as async-kinesis's consumer yields it: the JSON value
	 * (integers exact, beyond 64 bits too), the text for {@link #STRING}, the decoded
	 * MessagePack value for {@link #MSGPACK}; for {@link #JSON_LIST}, the whole array.
	 * @param payload the user record's data
	 * @param mapper reads JSON
	 * @return the value
	 * @throws IllegalArgumentException when the payload is not of this format
	 */
	public JsonNode readValue(byte[] payload, JsonMapper mapper) {
		return switch (this.encoding) {
			case TEXT -> mapper.getNodeFactory().stringNode(new String(payload, StandardCharsets.UTF_8));
			case MSGPACK -> {
				checkAvailable();
				yield MsgpackCodec.decode(payload, mapper.getNodeFactory());
			}
			case JSON -> {
				try {
					yield mapper.readTree(payload);
				}
				catch (RuntimeException ex) {
					throw new IllegalArgumentException("not a JSON document: " + ex.getMessage(), ex);
				}
			}
		};
	}

	/**
	 * The payload of one item: {@code byte[]} as it is (already encoded); otherwise JSON
	 * with the mapper, MessagePack of the value's JSON tree for {@link #MSGPACK}, and for
	 * {@link #STRING} text as it is and other values as their JSON.
	 * @param value the item
	 * @param mapper writes JSON and makes trees
	 * @return the payload
	 * @throws IllegalArgumentException when the value cannot be written in this format
	 */
	public byte[] writeValue(Object value, JsonMapper mapper) {
		if (value instanceof byte[] bytes) {
			return bytes;
		}
		return switch (this.encoding) {
			case TEXT -> {
				if (value instanceof CharSequence text) {
					yield text.toString().getBytes(StandardCharsets.UTF_8);
				}
				if (value instanceof JsonNode node && node.isString()) {
					yield node.stringValue().getBytes(StandardCharsets.UTF_8);
				}
				yield mapper.writeValueAsBytes(value);
			}
			case MSGPACK -> {
				checkAvailable();
				yield MsgpackCodec.encode((value instanceof JsonNode node) ? node : mapper.valueToTree(value));
			}
			case JSON -> mapper.writeValueAsBytes(value);
		};
	}

	/**
	 * Frames payloads, in order, into as few records as fit the size (one record per
	 * payload where the format frames none).
	 * @param partitionKey the key the records are put with (KPL keeps it for each item)
	 * @param payloads the payloads, from {@link #writeValue(Object, JsonMapper)}
	 * @param maxSize the largest record data: the record limit less the partition key's
	 * UTF-8 bytes
	 * @return the record data, in order
	 * @throws IllegalArgumentException when a payload cannot fit a record of that size
	 */
	public List<byte[]> pack(String partitionKey, List<byte[]> payloads, int maxSize) {
		return switch (this.framing) {
			case NONE, RAW -> {
				for (int i = 0; i < payloads.size(); i++) {
					checkFits(payloads.get(i), i, maxSize);
				}
				yield List.copyOf(payloads);
			}
			case KPL -> packKpl(partitionKey, payloads, maxSize);
			case LINES -> new NewlineDelimitedJsonPacker(PLAIN, maxSize).pack(payloads);
			case LIST_WHOLE, LIST_ELEMENTS -> new JsonListPacker(maxSize).pack(payloads);
			case NETSTRING -> new NetstringPacker(maxSize).pack(payloads);
		};
	}

	private static List<byte[]> packKpl(String partitionKey, List<byte[]> payloads, int maxSize) {
		List<UserRecord> records = new ArrayList<>(payloads.size());
		for (int i = 0; i < payloads.size(); i++) {
			records.add(UserRecord.of(partitionKey, checkFits(payloads.get(i), i, maxSize)));
		}
		// the aggregator counts the partition key in, the caller's size leaves it out
		int keyBytes = partitionKey.getBytes(StandardCharsets.UTF_8).length;
		List<byte[]> packed = new ArrayList<>();
		for (AggregatedRecord record : RecordAggregator.aggregate(records,
				Math.min(maxSize + keyBytes, RecordAggregator.KINESIS_MAX_RECORD_BYTES))) {
			packed.add(record.data());
		}
		return packed;
	}

	private static byte[] checkFits(byte[] payload, int index, int maxSize) {
		if (payload.length > maxSize) {
			throw new IllegalArgumentException("Payload " + index + " of " + payload.length
					+ " bytes does not fit a record of at most " + maxSize + " bytes");
		}
		return payload;
	}

	private enum Framing {

		/** One payload per record; KPL records unpacked when read. */
		NONE,
		/** One payload per record, read as it is. */
		RAW,
		/** One JSON array per record, read as it is. */
		LIST_WHOLE,
		/** One JSON array per record, read element by element. */
		LIST_ELEMENTS, KPL, LINES, NETSTRING

	}

	private enum Encoding {

		JSON, TEXT, MSGPACK

	}

}
