package dev.kinesisboot.metrics;

import java.util.List;

import static dev.kinesisboot.metrics.MetricLabels.ERROR_TYPE;
import static dev.kinesisboot.metrics.MetricLabels.SHARD_ID;
import static dev.kinesisboot.metrics.MetricLabels.STREAM_NAME;

/**
 * Every metric the library emits, with its Prometheus name (without namespace), type,
 * label keys and, for histograms, bucket boundaries. The names are a compatibility
 * surface shared with async-kinesis: dashboards and alerts written for one work for the
 * other.
 */
public enum MetricType {

	/** Records Kinesis accepted; an aggregated record counts once. */
	PRODUCER_RECORDS_SENT("producer_records_sent_total", Kind.COUNTER, "Records accepted by Kinesis",
			List.of(STREAM_NAME)),

	/** Data bytes of the records Kinesis accepted, partition keys excluded. */
	PRODUCER_BYTES_SENT("producer_bytes_sent_total", Kind.COUNTER, "Data bytes of the records accepted by Kinesis",
			List.of(STREAM_NAME)),

	/**
	 * Failed entries or calls, by AWS error code or connection/timeout/unknown; records
	 * refused before sending as RecordTooLarge, InvalidPartitionKey, SerializationFailed
	 * or QueueFull.
	 */
	PRODUCER_ERRORS("producer_errors_total", Kind.COUNTER, "Failed producer entries or calls",
			List.of(STREAM_NAME, ERROR_TYPE)),

	/** Entries refused with ProvisionedThroughputExceededException. */
	PRODUCER_THROTTLES("producer_throttles_total", Kind.COUNTER, "Producer entries throttled by Kinesis",
			List.of(STREAM_NAME)),

	/** Records per PutRecords call. */
	PRODUCER_BATCH_SIZE("producer_batch_size", Kind.HISTOGRAM, "Records per PutRecords call", List.of(STREAM_NAME),
			Buckets.BATCH_SIZE),

	/** Records waiting in the producer's queue. */
	PRODUCER_QUEUE_SIZE("producer_queue_size", Kind.GAUGE, "Records waiting in the producer queue",
			List.of(STREAM_NAME)),

	/** Seconds to send one batch, retries included. */
	PRODUCER_FLUSH_DURATION("producer_flush_duration_seconds", Kind.HISTOGRAM,
			"Seconds to send one batch, retries included", List.of(STREAM_NAME), Buckets.DURATION),

	/** Kinesis records handed to the consumer, before de-aggregation. */
	CONSUMER_RECORDS_RECEIVED("consumer_records_received_total", Kind.COUNTER,
			"Kinesis records received by the consumer, before de-aggregation", List.of(STREAM_NAME, SHARD_ID)),

	/** Data bytes of the records counted by {@link #CONSUMER_RECORDS_RECEIVED}. */
	CONSUMER_BYTES_RECEIVED("consumer_bytes_received_total", Kind.COUNTER,
			"Data bytes of the records received by the consumer", List.of(STREAM_NAME, SHARD_ID)),

	/** GetRecords errors by AWS error code or connection/timeout/unknown. */
	CONSUMER_ERRORS("consumer_errors_total", Kind.COUNTER, "Errors reading records",
			List.of(STREAM_NAME, SHARD_ID, ERROR_TYPE)),

	/** Durable checkpoint writes that succeeded. */
	CONSUMER_CHECKPOINT_SUCCESS("consumer_checkpoint_success_total", Kind.COUNTER,
			"Durable checkpoint writes that succeeded", List.of(STREAM_NAME, SHARD_ID)),

	/** Durable checkpoint writes that failed. */
	CONSUMER_CHECKPOINT_FAILURE("consumer_checkpoint_failure_total", Kind.COUNTER,
			"Durable checkpoint writes that failed", List.of(STREAM_NAME, SHARD_ID)),

	/** MillisBehindLatest of the last GetRecords response. */
	CONSUMER_ITERATOR_AGE("consumer_iterator_age_milliseconds", Kind.GAUGE,
			"MillisBehindLatest of the last GetRecords response", List.of(STREAM_NAME, SHARD_ID)),

	/** Records waiting between fetch and handler. */
	CONSUMER_QUEUE_SIZE("consumer_queue_size", Kind.GAUGE, "Records waiting between fetch and handler",
			List.of(STREAM_NAME)),

	/** Records behind the shard's tip. */
	CONSUMER_LAG_RECORDS("consumer_lag_records", Kind.GAUGE, "Records behind the tip of the shard",
			List.of(STREAM_NAME, SHARD_ID)),

	/** Handler seconds per record or batch. */
	CONSUMER_PROCESSING_TIME("consumer_processing_time_seconds", Kind.HISTOGRAM,
			"Seconds the handler took per record or batch", List.of(STREAM_NAME, SHARD_ID), Buckets.PROCESSING_TIME),

	/** Open shards known to the consumer. */
	STREAM_SHARDS_ACTIVE("stream_shards_active", Kind.GAUGE, "Open shards known to the consumer", List.of(STREAM_NAME)),

	/** Closed shards the consumer has seen. */
	STREAM_SHARDS_CLOSED("stream_shards_closed", Kind.GAUGE, "Closed shards seen by the consumer",
			List.of(STREAM_NAME)),

	/** Resharding events detected (new child shards found). */
	STREAM_RESHARDING_EVENTS("stream_resharding_events_total", Kind.COUNTER, "Resharding events detected",
			List.of(STREAM_NAME));

	/** How a metric aggregates its observations. */
	public enum Kind {

		/** A monotonically increasing total. */
		COUNTER,

		/** The last value set. */
		GAUGE,

		/** Observations counted into buckets. */
		HISTOGRAM

	}

	private final String prometheusName;

	private final Kind kind;

	private final String description;

	private final List<String> labelKeys;

	private final double[] buckets;

	MetricType(String prometheusName, Kind kind, String description, List<String> labelKeys) {
		this(prometheusName, kind, description, labelKeys, new double[0]);
	}

	MetricType(String prometheusName, Kind kind, String description, List<String> labelKeys, double[] buckets) {
		this.prometheusName = prometheusName;
		this.kind = kind;
		this.description = description;
		this.labelKeys = labelKeys;
		this.buckets = buckets;
	}

	/**
	 * The Prometheus name without namespace, such as {@code producer_records_sent_total}.
	 * It is also the name the {@link InMemoryMetricsCollector} keys the metric by.
	 * @return the name
	 */
	public String prometheusName() {
		return this.prometheusName;
	}

	/**
	 * The metric's kind.
	 * @return counter, gauge or histogram
	 */
	public Kind kind() {
		return this.kind;
	}

	/**
	 * One line on what the metric shows.
	 * @return the description
	 */
	public String description() {
		return this.description;
	}

	/**
	 * The label keys every observation of this metric carries, in a fixed order.
	 * @return the label keys
	 */
	public List<String> labelKeys() {
		return this.labelKeys;
	}

	/**
	 * Upper bounds of the histogram buckets; empty for counters and gauges.
	 * @return a copy of the bucket bounds
	 */
	public double[] buckets() {
		return this.buckets.clone();
	}

	/**
	 * Whether the histogram measures seconds (its name ends in {@code _seconds}).
	 * @return {@code true} for duration histograms
	 */
	public boolean isDuration() {
		return this.prometheusName.endsWith("_seconds");
	}

	/**
	 * The name under which Micrometer registers the meter: dots instead of underscores,
	 * without the {@code _total} of counters and the {@code _seconds} of timers, which
	 * Micrometer's Prometheus naming adds back.
	 * @return the Micrometer meter name, such as {@code producer.records.sent}
	 */
	public String meterName() {
		String name = this.prometheusName;
		if (this.kind == Kind.COUNTER && name.endsWith("_total")) {
			name = name.substring(0, name.length() - "_total".length());
		}
		if (this.kind == Kind.HISTOGRAM && isDuration()) {
			name = name.substring(0, name.length() - "_seconds".length());
		}
		return name.replace('_', '.');
	}

	private static final class Buckets {

		static final double[] BATCH_SIZE = { 1, 5, 10, 25, 50, 100, 250, 500 };

		static final double[] DURATION = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5 };

		static final double[] PROCESSING_TIME = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 };

	}

}
