package dev.kinesisboot.producer;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

import dev.kinesisboot.aggregation.RecordAggregator;

/**
 * Immutable settings of a {@link KinesisProducer}. Build with {@link #builder()}; change
 * a copy with {@link #toBuilder()}. The defaults suit a provisioned stream.
 */
public final class ProducerOptions {

	/** PutRecords takes at most this many records per call. */
	public static final int MAX_BATCH_RECORDS = 500;

	/**
	 * PutRecords takes at most this many bytes (data and partition keys) per call (10 MiB
	 * since October 2025).
	 */
	public static final long MAX_BATCH_BYTES = 10L * 1024 * 1024;

	/**
	 * A record (data and partition key) is at most this many bytes on a stream that does
	 * not say otherwise: the Kinesis default maximum record size.
	 */
	public static final int MAX_RECORD_BYTES = 1024 * 1024;

	/**
	 * The largest maximum record size a stream can have (set with UpdateMaxRecordSize,
	 * shown as MaxRecordSizeInKiB).
	 */
	public static final int MAX_STREAM_RECORD_BYTES = 10 * 1024 * 1024;

	/** A partition key has at most this many Unicode characters (code points). */
	public static final int MAX_PARTITION_KEY_LENGTH = 256;

	/** The smallest aggregated record size worth setting. */
	public static final int MIN_AGGREGATION_MAX_SIZE = 1024;

	private static final ProducerOptions DEFAULTS = new Builder().build();

	private final Duration bufferTime;

	private final int maxQueueSize;

	private final Duration queueFullTimeout;

	private final int maxBatchRecords;

	private final long maxBatchBytes;

	private final boolean rateLimitEnabled;

	private final int recordsPerSecondPerShard;

	private final long bytesPerSecondPerShard;

	private final int maxInFlightBatches;

	private final boolean orderedPerShard;

	private final int maxAttempts;

	private final Duration recordTtl;

	private final Duration retryBackoffBase;

	private final Duration retryBackoffMax;

	private final Duration closeTimeout;

	private final Duration shardRefreshInterval;

	private final boolean createStream;

	private final int createStreamShardCount;

	private final boolean aggregationEnabled;

	private final int aggregationMaxSize;

	private final Executor callbackExecutor;

	private ProducerOptions(Builder builder) {
		this.bufferTime = builder.bufferTime;
		this.maxQueueSize = builder.maxQueueSize;
		this.queueFullTimeout = builder.queueFullTimeout;
		this.maxBatchRecords = builder.maxBatchRecords;
		this.maxBatchBytes = builder.maxBatchBytes;
		this.rateLimitEnabled = builder.rateLimitEnabled;
		this.recordsPerSecondPerShard = builder.recordsPerSecondPerShard;
		this.bytesPerSecondPerShard = builder.bytesPerSecondPerShard;
		this.maxInFlightBatches = builder.maxInFlightBatches;
		this.orderedPerShard = builder.orderedPerShard;
		this.maxAttempts = builder.maxAttempts;
		this.recordTtl = builder.recordTtl;
		this.retryBackoffBase = builder.retryBackoffBase;
		this.retryBackoffMax = builder.retryBackoffMax;
		this.closeTimeout = builder.closeTimeout;
		this.shardRefreshInterval = builder.shardRefreshInterval;
		this.createStream = builder.createStream;
		this.createStreamShardCount = builder.createStreamShardCount;
		this.aggregationEnabled = builder.aggregationEnabled;
		this.aggregationMaxSize = builder.aggregationMaxSize;
		this.callbackExecutor = builder.callbackExecutor;
	}

	/**
	 * A builder with the defaults.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * The default options.
	 * @return the defaults
	 */
	public static ProducerOptions defaults() {
		return DEFAULTS;
	}

	/**
	 * A builder holding these options.
	 * @return a new builder
	 */
	public Builder toBuilder() {
		return new Builder(this);
	}

	/**
	 * @return the longest a record waits in the queue before its batch is sent
	 */
	public Duration bufferTime() {
		return this.bufferTime;
	}

	/**
	 * @return the most records waiting in the queue
	 */
	public int maxQueueSize() {
		return this.maxQueueSize;
	}

	/**
	 * @return how long {@code put} waits for room in a full queue before failing
	 */
	public Duration queueFullTimeout() {
		return this.queueFullTimeout;
	}

	/**
	 * @return the most records per PutRecords call
	 */
	public int maxBatchRecords() {
		return this.maxBatchRecords;
	}

	/**
	 * @return the most bytes (data and keys) per PutRecords call
	 */
	public long maxBatchBytes() {
		return this.maxBatchBytes;
	}

	/**
	 * @return whether the per-shard rate limits apply
	 */
	public boolean rateLimitEnabled() {
		return this.rateLimitEnabled;
	}

	/**
	 * @return the records per second sent to one shard
	 */
	public int recordsPerSecondPerShard() {
		return this.recordsPerSecondPerShard;
	}

	/**
	 * @return the bytes per second sent to one shard
	 */
	public long bytesPerSecondPerShard() {
		return this.bytesPerSecondPerShard;
	}

	/**
	 * @return the most PutRecords calls in flight at once
	 */
	public int maxInFlightBatches() {
		return this.maxInFlightBatches;
	}

	/**
	 * @return whether records of one shard are sent one batch at a time, retries first
	 */
	public boolean orderedPerShard() {
		return this.orderedPerShard;
	}

	/**
	 * @return the most times a record is sent before it fails
	 */
	public int maxAttempts() {
		return this.maxAttempts;
	}

	/**
	 * @return how long after {@code put} a record may still be retried
	 */
	public Duration recordTtl() {
		return this.recordTtl;
	}

	/**
	 * @return the first retry delay, doubled on each further attempt
	 */
	public Duration retryBackoffBase() {
		return this.retryBackoffBase;
	}

	/**
	 * @return the longest retry delay
	 */
	public Duration retryBackoffMax() {
		return this.retryBackoffMax;
	}

	/**
	 * @return how long {@code close} waits for queued records to be sent
	 */
	public Duration closeTimeout() {
		return this.closeTimeout;
	}

	/**
	 * @return how often the shard map is read again to follow resharding
	 */
	public Duration shardRefreshInterval() {
		return this.shardRefreshInterval;
	}

	/**
	 * @return whether a missing stream is created (for development and tests)
	 */
	public boolean createStream() {
		return this.createStream;
	}

	/**
	 * @return the shard count of a stream the producer creates
	 */
	public int createStreamShardCount() {
		return this.createStreamShardCount;
	}

	/**
	 * @return whether records of one shard are packed into KPL aggregated records
	 */
	public boolean aggregationEnabled() {
		return this.aggregationEnabled;
	}

	/**
	 * @return the largest aggregated record, data plus partition key
	 */
	public int aggregationMaxSize() {
		return this.aggregationMaxSize;
	}

	/**
	 * @return the executor that completes the records' futures, or {@code null} for a
	 * pool of the producer's own
	 */
	public Executor callbackExecutor() {
		return this.callbackExecutor;
	}

	/**
	 * Builds {@link ProducerOptions}. Not thread-safe.
	 */
	public static final class Builder {

		private Duration bufferTime = Duration.ofMillis(500);

		private int maxQueueSize = 10_000;

		private Duration queueFullTimeout = Duration.ofSeconds(5);

		private int maxBatchRecords = MAX_BATCH_RECORDS;

		private long maxBatchBytes = MAX_BATCH_BYTES;

		private boolean rateLimitEnabled = true;

		private int recordsPerSecondPerShard = 1000;

		private long bytesPerSecondPerShard = 1024 * 1024;

		private int maxInFlightBatches = 8;

		private boolean orderedPerShard;

		private int maxAttempts = 20;

		private Duration recordTtl = Duration.ofMinutes(2);

		private Duration retryBackoffBase = Duration.ofMillis(100);

		private Duration retryBackoffMax = Duration.ofSeconds(5);

		private Duration closeTimeout = Duration.ofSeconds(30);

		private Duration shardRefreshInterval = Duration.ofSeconds(60);

		private boolean createStream;

		private int createStreamShardCount = 1;

		private boolean aggregationEnabled;

		private int aggregationMaxSize = RecordAggregator.DEFAULT_MAX_SIZE;

		private Executor callbackExecutor;

		private Builder() {
		}

		private Builder(ProducerOptions options) {
			this.bufferTime = options.bufferTime;
			this.maxQueueSize = options.maxQueueSize;
			this.queueFullTimeout = options.queueFullTimeout;
			this.maxBatchRecords = options.maxBatchRecords;
			this.maxBatchBytes = options.maxBatchBytes;
			this.rateLimitEnabled = options.rateLimitEnabled;
			this.recordsPerSecondPerShard = options.recordsPerSecondPerShard;
			this.bytesPerSecondPerShard = options.bytesPerSecondPerShard;
			this.maxInFlightBatches = options.maxInFlightBatches;
			this.orderedPerShard = options.orderedPerShard;
			this.maxAttempts = options.maxAttempts;
			this.recordTtl = options.recordTtl;
			this.retryBackoffBase = options.retryBackoffBase;
			this.retryBackoffMax = options.retryBackoffMax;
			this.closeTimeout = options.closeTimeout;
			this.shardRefreshInterval = options.shardRefreshInterval;
			this.createStream = options.createStream;
			this.createStreamShardCount = options.createStreamShardCount;
			this.aggregationEnabled = options.aggregationEnabled;
			this.aggregationMaxSize = options.aggregationMaxSize;
			this.callbackExecutor = options.callbackExecutor;
		}

		/**
		 * Longest a record waits before its batch is sent (default 500 ms); a full batch
		 * goes at once.
		 * @param bufferTime a positive duration
		 * @return this builder
		 */
		public Builder bufferTime(Duration bufferTime) {
			this.bufferTime = positive("bufferTime", bufferTime);
			return this;
		}

		/**
		 * Most records waiting in the queue (default 10,000).
		 * @param maxQueueSize at least 1
		 * @return this builder
		 */
		public Builder maxQueueSize(int maxQueueSize) {
			this.maxQueueSize = atLeast("maxQueueSize", maxQueueSize, 1);
			return this;
		}

		/**
		 * How long {@code put} waits for room in a full queue before failing (default 5
		 * s; zero fails at once).
		 * @param queueFullTimeout zero or positive
		 * @return this builder
		 */
		public Builder queueFullTimeout(Duration queueFullTimeout) {
			this.queueFullTimeout = notNegative("queueFullTimeout", queueFullTimeout);
			return this;
		}

		/**
		 * Most records per PutRecords call (default and maximum 500).
		 * @param maxBatchRecords 1 to 500
		 * @return this builder
		 */
		public Builder maxBatchRecords(int maxBatchRecords) {
			this.maxBatchRecords = between("maxBatchRecords", maxBatchRecords, 1, MAX_BATCH_RECORDS);
			return this;
		}

		/**
		 * Most bytes, data and partition keys, per PutRecords call (default and maximum
		 * 10 MiB, the PutRecords limit). A record larger than this, on a stream that
		 * takes it, goes in a call of its own.
		 * @param maxBatchBytes 1 MiB to 10 MiB
		 * @return this builder
		 */
		public Builder maxBatchBytes(long maxBatchBytes) {
			if (maxBatchBytes < MAX_RECORD_BYTES || maxBatchBytes > MAX_BATCH_BYTES) {
				throw new IllegalArgumentException("maxBatchBytes must be between " + MAX_RECORD_BYTES + " and "
						+ MAX_BATCH_BYTES + " (the PutRecords limit), got " + maxBatchBytes);
			}
			this.maxBatchBytes = maxBatchBytes;
			return this;
		}

		/**
		 * Whether the per-shard rate limits apply (default on). Turn off only where the
		 * endpoint does not throttle (an emulator) or for on-demand streams with higher
		 * limits.
		 * @param rateLimitEnabled whether to limit
		 * @return this builder
		 */
		public Builder rateLimitEnabled(boolean rateLimitEnabled) {
			this.rateLimitEnabled = rateLimitEnabled;
			return this;
		}

		/**
		 * Records per second sent to one shard (default 1,000, the Kinesis shard limit).
		 * @param recordsPerSecondPerShard at least 1
		 * @return this builder
		 */
		public Builder recordsPerSecondPerShard(int recordsPerSecondPerShard) {
			this.recordsPerSecondPerShard = atLeast("recordsPerSecondPerShard", recordsPerSecondPerShard, 1);
			return this;
		}

		/**
		 * Bytes per second sent to one shard (default 1 MiB, the Kinesis shard limit).
		 * @param bytesPerSecondPerShard at least 1 MiB, so that every valid record fits
		 * @return this builder
		 */
		public Builder bytesPerSecondPerShard(long bytesPerSecondPerShard) {
			if (bytesPerSecondPerShard < MAX_RECORD_BYTES) {
				throw new IllegalArgumentException("bytesPerSecondPerShard must be at least " + MAX_RECORD_BYTES
						+ " so that a record of the maximum size can be sent, got " + bytesPerSecondPerShard);
			}
			this.bytesPerSecondPerShard = bytesPerSecondPerShard;
			return this;
		}

		/**
		 * Most PutRecords calls in flight at once (default 8).
		 * @param maxInFlightBatches at least 1
		 * @return this builder
		 */
		public Builder maxInFlightBatches(int maxInFlightBatches) {
			this.maxInFlightBatches = atLeast("maxInFlightBatches", maxInFlightBatches, 1);
			return this;
		}

		/**
		 * Keep the order of each partition key (default off): the records of one key are
		 * stored in the order they were put, under throttling, partial failures, lost
		 * responses, shard-map refreshes and resharding. A record is sent only when no
		 * earlier record of its key is unsettled: at most one entry per key in a call and
		 * in flight (with aggregation, one aggregated record), and a refused record is
		 * retried before a later one of its key. The cost: each key sends at most one
		 * record (or aggregated record) per round trip; records of other keys are not
		 * held up. A record stored by a call whose response was lost is stored again by
		 * the retry (a duplicate, still in order). Off, calls overlap and a retried
		 * record may land after newer ones of its key.
		 * @param orderedPerShard whether to keep order per key
		 * @return this builder
		 */
		public Builder orderedPerShard(boolean orderedPerShard) {
			this.orderedPerShard = orderedPerShard;
			return this;
		}

		/**
		 * Most times a record is sent before its future fails (default 20).
		 * @param maxAttempts at least 1
		 * @return this builder
		 */
		public Builder maxAttempts(int maxAttempts) {
			this.maxAttempts = atLeast("maxAttempts", maxAttempts, 1);
			return this;
		}

		/**
		 * How long after {@code put} a record may still be retried (default 2 minutes).
		 * @param recordTtl a positive duration
		 * @return this builder
		 */
		public Builder recordTtl(Duration recordTtl) {
			this.recordTtl = positive("recordTtl", recordTtl);
			return this;
		}

		/**
		 * Retry delays: the first is about {@code base}, each next one doubles, never
		 * above {@code max}; each is jittered between half and the full value.
		 * @param base the first delay (default 100 ms)
		 * @param max the longest delay (default 5 s)
		 * @return this builder
		 */
		public Builder retryBackoff(Duration base, Duration max) {
			positive("retryBackoff base", base);
			positive("retryBackoff max", max);
			if (max.compareTo(base) < 0) {
				throw new IllegalArgumentException(
						"retryBackoff max (" + max + ") must not be below base (" + base + ")");
			}
			this.retryBackoffBase = base;
			this.retryBackoffMax = max;
			return this;
		}

		/**
		 * How long {@code close} waits for queued records to be sent (default 30 s);
		 * records still queued then fail.
		 * @param closeTimeout zero or positive
		 * @return this builder
		 */
		public Builder closeTimeout(Duration closeTimeout) {
			this.closeTimeout = notNegative("closeTimeout", closeTimeout);
			return this;
		}

		/**
		 * How often the shard map is read again to follow resharding (default 60 s). It
		 * is also read again when Kinesis names a shard the map does not know.
		 * @param shardRefreshInterval a positive duration
		 * @return this builder
		 */
		public Builder shardRefreshInterval(Duration shardRefreshInterval) {
			this.shardRefreshInterval = positive("shardRefreshInterval", shardRefreshInterval);
			return this;
		}

		/**
		 * Create the stream when it does not exist (default off; for development and
		 * tests).
		 * @param createStream whether to create
		 * @param shardCount the shard count of a created stream
		 * @return this builder
		 */
		public Builder createStream(boolean createStream, int shardCount) {
			this.createStream = createStream;
			this.createStreamShardCount = atLeast("createStream shardCount", shardCount, 1);
			return this;
		}

		/**
		 * Pack the queued records of each shard into KPL aggregated records (default
		 * off). Many small records then take one Kinesis record: fewer records against
		 * the 1,000 records/s shard limit and fewer PutRecords entries. Each record keeps
		 * its own partition key and completes with the Kinesis sequence number and its
		 * sub-sequence number. Readers must de-aggregate: {@code KinesisConsumer} does by
		 * default, as do the KCL and Firehose; a Lambda function needs the
		 * kinesis-aggregation library.
		 * @param aggregationEnabled whether to aggregate
		 * @return this builder
		 */
		public Builder aggregationEnabled(boolean aggregationEnabled) {
			this.aggregationEnabled = aggregationEnabled;
			return this;
		}

		/**
		 * Largest aggregated record, data plus partition key, counted as Kinesis counts
		 * it against its 1 MiB record limit (default 1 MiB less 1 KiB). A single record
		 * too large to share goes alone.
		 * @param aggregationMaxSize 1 KiB to 1 MiB
		 * @return this builder
		 */
		public Builder aggregationMaxSize(int aggregationMaxSize) {
			this.aggregationMaxSize = between("aggregationMaxSize", aggregationMaxSize, MIN_AGGREGATION_MAX_SIZE,
					MAX_RECORD_BYTES);
			return this;
		}

		/**
		 * Where the records' futures are completed, and so where callbacks chained on
		 * them without an executor of their own run (default {@code null}: a pool of the
		 * producer's own, named {@code kinesis-producer-callbacks-<stream>}, that runs
		 * one callback at a time, adds a thread only while a callback waits on another
		 * record's future, at most 16, and is shut down by {@code close}). Never the
		 * producer's timer or the SDK's response threads, so a callback that blocks, or
		 * puts again on a full queue, cannot hold up sending. A given executor is not
		 * shut down by the producer; one that runs tasks on the calling thread runs
		 * callbacks on the SDK's or the timer's threads, after the call's in-flight slot
		 * is freed.
		 * @param callbackExecutor the executor, or {@code null} for the producer's own
		 * pool
		 * @return this builder
		 */
		public Builder callbackExecutor(Executor callbackExecutor) {
			this.callbackExecutor = callbackExecutor;
			return this;
		}

		/**
		 * Builds the options.
		 * @return the options
		 */
		public ProducerOptions build() {
			return new ProducerOptions(this);
		}

		private static Duration positive(String name, Duration value) {
			Objects.requireNonNull(value, name);
			if (value.isNegative() || value.isZero()) {
				throw new IllegalArgumentException(name + " must be positive, got " + value);
			}
			return value;
		}

		private static Duration notNegative(String name, Duration value) {
			Objects.requireNonNull(value, name);
			if (value.isNegative()) {
				throw new IllegalArgumentException(name + " must not be negative, got " + value);
			}
			return value;
		}

		private static int atLeast(String name, int value, int min) {
			if (value < min) {
				throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
			}
			return value;
		}

		private static int between(String name, int value, int min, int max) {
			if (value < min || value > max) {
				throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
			}
			return value;
		}

	}

}
