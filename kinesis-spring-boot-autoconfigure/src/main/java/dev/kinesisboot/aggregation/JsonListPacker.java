package dev.kinesisboot.aggregation;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import dev.kinesisboot.record.RecordExpander;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Packs JSON documents into records that each hold one JSON array: {@code [a, b, c]},
 * with a comma and a space between elements and nothing after the closing bracket. This
 * is the framing of async-kinesis's {@code JsonListProcessor}, whose consumer hands over
 * each record's whole list as one value.
 * <p>
 * Its {@link #unpacker()} hands over the elements one by one instead, each with the bytes
 * it had in the record; to receive the whole list, read the records as they are
 * ({@link RecordFormat#JSON_LIST}). A record that is not one JSON array is handed over
 * whole, logged at WARN, never dropped. Thread-safe.
 */
public final class JsonListPacker implements PayloadPacker {

	/** Checks records before they are split; its settings do not matter beyond that. */
	private static final JsonMapper VALIDATOR = JsonMapper.builder().build();

	/** {@code ", "}, which each element but the first is preceded by, or {@code []}. */
	private static final int PER_ELEMENT = 2;

	private final int maxSize;

	/**
	 * A packer of records of at most {@link RecordAggregator#DEFAULT_MAX_SIZE} bytes.
	 */
	public JsonListPacker() {
		this(RecordAggregator.DEFAULT_MAX_SIZE);
	}

	/**
	 * A packer of records of at most the given size.
	 * @param maxSize the largest record data, leaving room for the partition key under
	 * the record limit
	 */
	public JsonListPacker(int maxSize) {
		this.maxSize = Packing.checkMaxSize(maxSize);
	}

	/**
	 * Packs JSON documents as array elements.
	 * @param documents serialized JSON documents
	 * @return the record data, in order
	 * @throws IllegalArgumentException when a document does not fit a record
	 */
	@Override
	public List<byte[]> pack(List<byte[]> documents) {
		// "[" + a + ", " + b + "]": two bytes per element besides the element itself
		return Packing.group(documents, this.maxSize, 0, (document) -> PER_ELEMENT, JsonListPacker::join,
				"JSON document");
	}

	@Override
	public RecordExpander unpacker() {
		return unpacker((record, reason) -> {
		});
	}

	/**
	 * The unpacker, telling a listener of records that are not one JSON array.
	 * @param onMalformed told of each record handed over whole
	 * @return the expander
	 */
	public RecordExpander unpacker(MalformedRecordListener onMalformed) {
		return Packing.splitting("a JSON array", JsonListPacker::elements, onMalformed);
	}

	/**
	 * The byte ranges of the elements of a record holding one JSON array.
	 * @param data the record data
	 * @return {@code [start, end)} of each element
	 * @throws IllegalArgumentException when the data is not one JSON array
	 */
	static List<int[]> elements(byte[] data) {
		JsonNode tree;
		try {
			tree = VALIDATOR.readTree(data);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("not a JSON array: " + ex.getOriginalMessage());
		}
		if (tree == null || !tree.isArray()) {
			throw new IllegalArgumentException(
					"not a JSON array: the record holds a JSON " + ((tree == null) ? "nothing" : tree.getNodeType()));
		}
		// the data is valid JSON, so a scan that follows strings and nesting finds the
		// top-level commas
		List<int[]> elements = new ArrayList<>();
		int position = skipWhitespace(data, 0) + 1;
		int depth = 0;
		boolean inString = false;
		int start = position;
		for (; position < data.length; position++) {
			byte b = data[position];
			if (inString) {
				if (b == '\\') {
					position++;
				}
				else if (b == '"') {
					inString = false;
				}
			}
			else if (b == '"') {
				inString = true;
			}
			else if (b == '[' || b == '{') {
				depth++;
			}
			else if ((b == ']' || b == '}') && depth > 0) {
				depth--;
			}
			else if (depth == 0 && (b == ',' || b == ']')) {
				int from = skipWhitespace(data, start);
				int to = position;
				while (to > from && isWhitespace(data[to - 1])) {
					to--;
				}
				if (to > from) {
					elements.add(new int[] { from, to });
				}
				if (b == ']') {
					break;
				}
				start = position + 1;
			}
		}
		return elements;
	}

	private static int skipWhitespace(byte[] data, int from) {
		int position = from;
		while (position < data.length && isWhitespace(data[position])) {
			position++;
		}
		return position;
	}

	private static boolean isWhitespace(byte b) {
		return b == ' ' || b == '\t' || b == '\n' || b == '\r';
	}

	private static byte[] join(List<byte[]> documents) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write('[');
		for (int i = 0; i < documents.size(); i++) {
			if (i > 0) {
				out.write(',');
				out.write(' ');
			}
			out.writeBytes(documents.get(i));
		}
		out.write(']');
		return out.toByteArray();
	}

}
