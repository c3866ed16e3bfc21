package dev.kinesisboot.aggregation;

import java.util.ArrayList;
import java.util.List;

import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.record.RecordExpander;
import tools.jackson.databind.json.JsonMapper;

import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Packs JSON documents into records of newline-delimited JSON (one document per line,
 * each line ending with {@code \n}). Any consumer splits them with a line reader: a
 * Lambda function, the KCL (no KPL de-aggregation needed), and Firehose, which writes the
 * records one after another, so each S3 object is itself valid newline-delimited JSON.
 *
 * <pre>{@code
 * NewlineDelimitedJsonPacker packer = new NewlineDelimitedJsonPacker();
 * for (byte[] data : packer.packValues(events)) {
 *     producer.put(data, "events");
 * }
 * // and to read them: KinesisConsumer.builder(client).recordExpander(packer.unpacker())
 * }</pre>
 *
 * Thread-safe.
 */
public final class NewlineDelimitedJsonPacker implements PayloadPacker {

	private static final byte NEWLINE = '\n';

	private static final byte CARRIAGE_RETURN = '\r';

	private final JsonMapper jsonMapper;

	private final int maxSize;

	/**
	 * A packer with a default {@link JsonMapper} and records of at most
	 * {@link RecordAggregator#DEFAULT_MAX_SIZE} bytes.
	 */
	public NewlineDelimitedJsonPacker() {
		this(JsonMapper.builder().findAndAddModules().build(), RecordAggregator.DEFAULT_MAX_SIZE);
	}

	/**
	 * A packer with the given mapper (with Spring Boot, the application's) and size.
	 * @param jsonMapper writes the values of {@link #packValues(List)}; it must not
	 * indent
	 * @param maxSize the largest record data, leaving room for the partition key under
	 * the 1 MiB limit
	 */
	public NewlineDelimitedJsonPacker(JsonMapper jsonMapper, int maxSize) {
		this.jsonMapper = jsonMapper;
		this.maxSize = Packing.checkMaxSize(maxSize);
	}

	/**
	 * Writes values as JSON and packs them.
	 * @param values the values, in order
	 * @return the record data, in order
	 * @throws IllegalArgumentException when a document is too large or the mapper indents
	 */
	public List<byte[]> packValues(List<?> values) {
		List<byte[]> documents = new ArrayList<>(values.size());
		for (Object value : values) {
			documents.add(this.jsonMapper.writeValueAsBytes(value));
		}
		return pack(documents);
	}

	/**
	 * Packs JSON documents, each on one line.
	 * @param documents serialized JSON documents, without line breaks
	 * @return the record data, in order
	 * @throws IllegalArgumentException when a document holds a line break or is too large
	 */
	@Override
	public List<byte[]> pack(List<byte[]> documents) {
		List<byte[]> records = new ArrayList<>();
		List<byte[]> current = new ArrayList<>();
		int size = 0;
		for (int i = 0; i < documents.size(); i++) {
			byte[] document = documents.get(i);
			for (byte b : document) {
				if (b == NEWLINE) {
					throw new IllegalArgumentException("JSON document " + i
							+ " holds a line break; newline-delimited JSON needs one document per line "
							+ "(write it without indentation)");
				}
			}
			int line = document.length + 1;
			if (line > this.maxSize) {
				throw new IllegalArgumentException("JSON document " + i + " of " + document.length
						+ " bytes does not fit a record of at most " + this.maxSize + " bytes");
			}
			if (size + line > this.maxSize) {
				records.add(join(current, size));
				current.clear();
				size = 0;
			}
			current.add(document);
			size += line;
		}
		if (!current.isEmpty()) {
			records.add(join(current, size));
		}
		return records;
	}

	/**
	 * Splits records into their lines; blank lines are skipped and a {@code \r} before
	 * the {@code \n} is dropped, so records written by other tools are read as well.
	 * @return the expander
	 */
	@Override
	public RecordExpander unpacker() {
		return NewlineDelimitedJsonPacker::unpack;
	}

	private static List<KinesisRecord<byte[]>> unpack(String streamName, String shardId, Record record) {
		byte[] data = record.data().asByteArrayUnsafe();
		List<KinesisRecord<byte[]>> result = new ArrayList<>();
		int start = 0;
		for (int i = 0; i <= data.length; i++) {
			if (i == data.length || data[i] == NEWLINE) {
				int end = (i > start && data[i - 1] == CARRIAGE_RETURN) ? i - 1 : i;
				if (end > start) {
					result.add(Packing.part(streamName, shardId, record, result.size(), data, start, end));
				}
				start = i + 1;
			}
		}
		return result;
	}

	private static byte[] join(List<byte[]> documents, int size) {
		byte[] data = new byte[size];
		int position = 0;
		for (byte[] document : documents) {
			System.arraycopy(document, 0, data, position, document.length);
			position += document.length;
			data[position++] = NEWLINE;
		}
		return data;
	}

}
