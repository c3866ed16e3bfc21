package dev.kinesisboot.metrics;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The label keys the metrics use, and the check that keeps label keys valid for
 * Prometheus.
 */
public final class MetricLabels {

	/** Name of the Kinesis stream. */
	public static final String STREAM_NAME = "stream_name";

	/** Id of the shard, such as {@code shardId-000000000000}. */
	public static final String SHARD_ID = "shard_id";

	/** AWS error code, or {@code connection}, {@code timeout} or {@code unknown}. */
	public static final String ERROR_TYPE = "error_type";

	/** Stream name a checkpointer reports until a consumer binds it to a stream. */
	public static final String STANDALONE_STREAM = "<standalone>";

	private static final Pattern VALID_KEY = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

	private MetricLabels() {
	}

	/**
	 * Shortcut for the labels of a stream-level metric.
	 * @param streamName the stream
	 * @return {@code {stream_name=streamName}}
	 */
	public static Map<String, String> stream(String streamName) {
		return Map.of(STREAM_NAME, streamName);
	}

	/**
	 * Shortcut for the labels of a shard-level metric.
	 * @param streamName the stream
	 * @param shardId the shard
	 * @return {@code {shard_id=shardId, stream_name=streamName}}
	 */
	public static Map<String, String> shard(String streamName, String shardId) {
		return Map.of(STREAM_NAME, streamName, SHARD_ID, shardId);
	}

	/**
	 * Checks that a label key is a valid Prometheus label name.
	 * @param key the label key
	 * @throws IllegalArgumentException naming the key and the rule when it is not
	 */
	public static void checkKey(String key) {
		if (key == null || !VALID_KEY.matcher(key).matches() || key.startsWith("__")) {
			throw new IllegalArgumentException("Invalid metric label key '" + key
					+ "': use letters, digits and underscores only, not starting with a digit or '__' "
					+ "(for example 'stream_name' instead of 'stream.name')");
		}
	}

}
