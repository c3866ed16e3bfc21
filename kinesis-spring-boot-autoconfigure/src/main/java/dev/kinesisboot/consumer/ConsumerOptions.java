package dev.kinesisboot.consumer;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Immutable settings of a {@link KinesisConsumer}. Build with {@link #builder()}; change
 * a copy with {@link #toBuilder()}.
 */
public final class ConsumerOptions {

	/** GetRecords returns at most this many records per call. */
	public static final int MAX_RECORDS_PER_CALL = 10_000;

	/**
	 * Seconds between two checkpoints of a shard unless set: one durable write per shard
	 * every few seconds keeps the lease store's cost per shard low.
	 */
	public static final long DEFAULT_CHECKPOINT_INTERVAL_SECONDS = 5;

	private static final ConsumerOptions DEFAULTS = new Builder().build();

	private final InitialPosition initialPosition;

	private final Instant startTimestamp;

	private final Duration pollInterval;

	private final Duration minFetchInterval;

	private final int maxRecordsPerCall;

	private final Duration shardRefreshInterval;

	private final int maxQueueSize;

	private final int handlerThreads;

	private final Duration checkpointInterval;

	private final CheckpointMode checkpointMode;

	private final Duration errorBackoffBase;

	private final Duration errorBackoffMax;

	private final Duration handlerRetryBackoffBase;

	private final Duration handlerRetryBackoffMax;

	private final Duration shutdownTimeout;

	private final Duration idlePollIntervalMax;

	private final ConsumerMode mode;

	private final String fanOutConsumerName;

	private final Duration subscriptionRenewal;

	private final Duration subscriptionTimeout;

	private final boolean deregisterOnClose;

	private ConsumerOptions(Builder builder) {
		this.initialPosition = builder.initialPosition;
		this.startTimestamp = builder.startTimestamp;
		this.pollInterval = builder.pollInterval;
		this.minFetchInterval = builder.minFetchInterval;
		this.maxRecordsPerCall = builder.maxRecordsPerCall;
		this.shardRefreshInterval = builder.shardRefreshInterval;
		this.maxQueueSize = builder.maxQueueSize;
		this.handlerThreads = builder.handlerThreads;
		this.checkpointInterval = builder.checkpointInterval;
		this.checkpointMode = builder.checkpointMode;
		this.errorBackoffBase = builder.errorBackoffBase;
		this.errorBackoffMax = builder.errorBackoffMax;
		this.handlerRetryBackoffBase = builder.handlerRetryBackoffBase;
		this.handlerRetryBackoffMax = builder.handlerRetryBackoffMax;
		this.shutdownTimeout = builder.shutdownTimeout;
		this.idlePollIntervalMax = builder.idlePollIntervalMax;
		this.mode = builder.mode;
		this.fanOutConsumerName = builder.fanOutConsumerName;
		this.subscriptionRenewal = builder.subscriptionRenewal;
		this.subscriptionTimeout = builder.subscriptionTimeout;
		this.deregisterOnClose = builder.deregisterOnClose;
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
	public static ConsumerOptions defaults() {
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
	 * @return where shards without a checkpoint start
	 */
	public InitialPosition initialPosition() {
		return this.initialPosition;
	}

	/**
	 * @return the start time for {@link InitialPosition#AT_TIMESTAMP}, or {@code null}
	 */
	public Instant startTimestamp() {
		return this.startTimestamp;
	}

	/**
	 * @return how long a shard waits before reading again once it is caught up
	 */
	public Duration pollInterval() {
		return this.pollInterval;
	}

	/**
	 * @return the least time between two GetRecords calls of one shard
	 */
	public Duration minFetchInterval() {
		return this.minFetchInterval;
	}

	/**
	 * @return the most records one GetRecords call returns
	 */
	public int maxRecordsPerCall() {
		return this.maxRecordsPerCall;
	}

	/**
	 * @return how often the shard list is read again to find new shards
	 */
	public Duration shardRefreshInterval() {
		return this.shardRefreshInterval;
	}

	/**
	 * @return the most records read but not yet handled, over all shards
	 */
	public int maxQueueSize() {
		return this.maxQueueSize;
	}

	/**
	 * @return the threads handlers run on (callback mode)
	 */
	public int handlerThreads() {
		return this.handlerThreads;
	}

	/**
	 * @return the least time between two checkpoints of a shard in {@code AUTO} mode;
	 * zero writes after every batch
	 */
	public Duration checkpointInterval() {
		return this.checkpointInterval;
	}

	/**
	 * @return when checkpoints are written: after handled batches, or only what the
	 * application acknowledged
	 */
	public CheckpointMode checkpointMode() {
		return this.checkpointMode;
	}

	/**
	 * @return the first delay after a read error
	 */
	public Duration errorBackoffBase() {
		return this.errorBackoffBase;
	}

	/**
	 * @return the longest delay after read errors
	 */
	public Duration errorBackoffMax() {
		return this.errorBackoffMax;
	}

	/**
	 * @return the first delay before a failed handler is called again
	 */
	public Duration handlerRetryBackoffBase() {
		return this.handlerRetryBackoffBase;
	}

	/**
	 * @return the longest delay before a failed handler is called again
	 */
	public Duration handlerRetryBackoffMax() {
		return this.handlerRetryBackoffMax;
	}

	/**
	 * @return how long {@code close} waits for running handlers
	 */
	public Duration shutdownTimeout() {
		return this.shutdownTimeout;
	}

	/**
	 * @return the longest wait between two reads of a shard that keeps coming back empty
	 * (polling mode); the wait grows from the poll interval up to this
	 */
	public Duration idlePollIntervalMax() {
		return this.idlePollIntervalMax.compareTo(this.pollInterval) < 0 ? this.pollInterval : this.idlePollIntervalMax;
	}

	/**
	 * @return how shards are read
	 */
	public ConsumerMode mode() {
		return this.mode;
	}

	/**
	 * @return the name of the registered stream consumer in fan-out mode, or {@code null}
	 * for the application name
	 */
	public String fanOutConsumerName() {
		return this.fanOutConsumerName;
	}

	/**
	 * @return how old a fan-out subscription gets before it is replaced by a new one
	 * (Kinesis ends each one after 5 minutes)
	 */
	public Duration subscriptionRenewal() {
		return this.subscriptionRenewal;
	}

	/**
	 * @return how long a fan-out subscription may stay silent before it is replaced
	 */
	public Duration subscriptionTimeout() {
		return this.subscriptionTimeout;
	}

	/**
	 * @return whether {@code close} deregisters the fan-out stream consumer
	 */
	public boolean deregisterOnClose() {
		return this.deregisterOnClose;
	}

	/**
	 * Builds {@link ConsumerOptions}. Not thread-safe.
	 */
	public static final class Builder {

		private InitialPosition initialPosition = InitialPosition.LATEST;

		private Instant startTimestamp;

		private Duration pollInterval = Duration.ofMillis(500);

		private Duration minFetchInterval = Duration.ofMillis(200);

		private int maxRecordsPerCall = MAX_RECORDS_PER_CALL;

		private Duration shardRefreshInterval = Duration.ofSeconds(30);

		private int maxQueueSize = 10_000;

		private int handlerThreads = 4;

		private Duration checkpointInterval = Duration.ofSeconds(DEFAULT_CHECKPOINT_INTERVAL_SECONDS);

		private CheckpointMode checkpointMode = CheckpointMode.AUTO;

		private Duration errorBackoffBase = Duration.ofMillis(200);

		private Duration errorBackoffMax = Duration.ofSeconds(10);

		private Duration handlerRetryBackoffBase = Duration.ofMillis(500);

		private Duration handlerRetryBackoffMax = Duration.ofSeconds(30);

		private Duration shutdownTimeout = Duration.ofSeconds(30);

		private Duration idlePollIntervalMax = Duration.ofSeconds(2);

		private ConsumerMode mode = ConsumerMode.POLLING;

		private String fanOutConsumerName;

		private Duration subscriptionRenewal = Duration.ofMinutes(5);

		private Duration subscriptionTimeout = Duration.ofSeconds(30);

		private boolean deregisterOnClose;

		private Builder() {
		}

		private Builder(ConsumerOptions options) {
			this.initialPosition = options.initialPosition;
			this.startTimestamp = options.startTimestamp;
			this.pollInterval = options.pollInterval;
			this.minFetchInterval = options.minFetchInterval;
			this.maxRecordsPerCall = options.maxRecordsPerCall;
			this.shardRefreshInterval = options.shardRefreshInterval;
			this.maxQueueSize = options.maxQueueSize;
			this.handlerThreads = options.handlerThreads;
			this.checkpointInterval = options.checkpointInterval;
			this.checkpointMode = options.checkpointMode;
			this.errorBackoffBase = options.errorBackoffBase;
			this.errorBackoffMax = options.errorBackoffMax;
			this.handlerRetryBackoffBase = options.handlerRetryBackoffBase;
			this.handlerRetryBackoffMax = options.handlerRetryBackoffMax;
			this.shutdownTimeout = options.shutdownTimeout;
			this.idlePollIntervalMax = options.idlePollIntervalMax;
			this.mode = options.mode;
			this.fanOutConsumerName = options.fanOutConsumerName;
			this.subscriptionRenewal = options.subscriptionRenewal;
			this.subscriptionTimeout = options.subscriptionTimeout;
			this.deregisterOnClose = options.deregisterOnClose;
		}

		/**
		 * Where shards without a checkpoint start (default
		 * {@link InitialPosition#LATEST}).
		 * @param initialPosition the position
		 * @return this builder
		 */
		public Builder initialPosition(InitialPosition initialPosition) {
			this.initialPosition = Objects.requireNonNull(initialPosition, "initialPosition");
			return this;
		}

		/**
		 * Start at the first record written at or after a time
		 * ({@link InitialPosition#AT_TIMESTAMP}).
		 * @param startTimestamp the time
		 * @return this builder
		 */
		public Builder startAt(Instant startTimestamp) {
			this.startTimestamp = Objects.requireNonNull(startTimestamp, "startTimestamp");
			this.initialPosition = InitialPosition.AT_TIMESTAMP;
			return this;
		}

		/**
		 * How long a caught-up shard waits before reading again (default 500 ms).
		 * @param pollInterval at least the min fetch interval
		 * @return this builder
		 */
		public Builder pollInterval(Duration pollInterval) {
			this.pollInterval = positive("pollInterval", pollInterval);
			return this;
		}

		/**
		 * Least time between two GetRecords calls of one shard (default 200 ms: Kinesis
		 * allows 5 calls per second per shard).
		 * @param minFetchInterval a positive duration
		 * @return this builder
		 */
		public Builder minFetchInterval(Duration minFetchInterval) {
			this.minFetchInterval = positive("minFetchInterval", minFetchInterval);
			return this;
		}

		/**
		 * Most records per GetRecords call (default 10,000, the most Kinesis allows, as
		 * the KCL does: a shard that is behind catches up at the plain loop's pace; a
		 * call returns at most 10 MB whatever the count).
		 * @param maxRecordsPerCall 1 to 10,000
		 * @return this builder
		 */
		public Builder maxRecordsPerCall(int maxRecordsPerCall) {
			if (maxRecordsPerCall < 1 || maxRecordsPerCall > MAX_RECORDS_PER_CALL) {
				throw new IllegalArgumentException("maxRecordsPerCall must be between 1 and " + MAX_RECORDS_PER_CALL
						+ ", got " + maxRecordsPerCall);
			}
			this.maxRecordsPerCall = maxRecordsPerCall;
			return this;
		}

		/**
		 * How often the shard list is read again (default 30 s); it is also read at once
		 * when a shard ends.
		 * @param shardRefreshInterval a positive duration
		 * @return this builder
		 */
		public Builder shardRefreshInterval(Duration shardRefreshInterval) {
			this.shardRefreshInterval = positive("shardRefreshInterval", shardRefreshInterval);
			return this;
		}

		/**
		 * Most records read but not yet handled, over all shards (default 10,000);
		 * reading pauses at the limit.
		 * @param maxQueueSize at least 1
		 * @return this builder
		 */
		public Builder maxQueueSize(int maxQueueSize) {
			if (maxQueueSize < 1) {
				throw new IllegalArgumentException("maxQueueSize must be at least 1, got " + maxQueueSize);
			}
			this.maxQueueSize = maxQueueSize;
			return this;
		}

		/**
		 * Threads that run handlers (default 4); shards share them, each shard in order.
		 * @param handlerThreads at least 1
		 * @return this builder
		 */
		public Builder handlerThreads(int handlerThreads) {
			if (handlerThreads < 1) {
				throw new IllegalArgumentException("handlerThreads must be at least 1, got " + handlerThreads);
			}
			this.handlerThreads = handlerThreads;
			return this;
		}

		/**
		 * Least time between two checkpoints of a shard in {@code AUTO} mode (default
		 * {@value ConsumerOptions#DEFAULT_CHECKPOINT_INTERVAL_SECONDS} s; zero writes
		 * after every handled batch). A position handled within the interval is written
		 * when it is over; shard ends, hand-overs and shutdown always write at once. The
		 * trade-off: after a crash (no final checkpoint), up to one interval of records
		 * is read again.
		 * @param checkpointInterval zero or positive
		 * @return this builder
		 */
		public Builder checkpointInterval(Duration checkpointInterval) {
			Objects.requireNonNull(checkpointInterval, "checkpointInterval");
			if (checkpointInterval.isNegative()) {
				throw new IllegalArgumentException("checkpointInterval must not be negative");
			}
			this.checkpointInterval = checkpointInterval;
			return this;
		}

		/**
		 * When checkpoints are written (default {@link CheckpointMode#AUTO}). With
		 * {@link CheckpointMode#MANUAL} only positions the application passed to
		 * {@link KinesisConsumer#acknowledge} are written.
		 * @param checkpointMode the mode
		 * @return this builder
		 */
		public Builder checkpointMode(CheckpointMode checkpointMode) {
			this.checkpointMode = Objects.requireNonNull(checkpointMode, "checkpointMode");
			return this;
		}

		/**
		 * Back-off after read errors (throttling, network, timeouts): doubles from base
		 * up to max, retried for ever (defaults 200 ms, 10 s).
		 * @param base the first delay
		 * @param max the longest delay
		 * @return this builder
		 */
		public Builder errorBackoff(Duration base, Duration max) {
			this.errorBackoffBase = positive("errorBackoff base", base);
			this.errorBackoffMax = atLeast("errorBackoff max", max, base);
			return this;
		}

		/**
		 * Back-off before a failed handler is called again (defaults 500 ms, 30 s).
		 * @param base the first delay
		 * @param max the longest delay
		 * @return this builder
		 */
		public Builder handlerRetryBackoff(Duration base, Duration max) {
			this.handlerRetryBackoffBase = positive("handlerRetryBackoff base", base);
			this.handlerRetryBackoffMax = atLeast("handlerRetryBackoff max", max, base);
			return this;
		}

		/**
		 * How long {@code close} waits for running handlers (default 30 s).
		 * @param shutdownTimeout zero or positive
		 * @return this builder
		 */
		public Builder shutdownTimeout(Duration shutdownTimeout) {
			Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
			this.shutdownTimeout = shutdownTimeout;
			return this;
		}

		/**
		 * Longest wait between two reads of a shard that keeps coming back empty (default
		 * 2 s; polling mode). After each empty read the wait doubles, from the poll
		 * interval up to this, so idle shards cost few calls; the first records reset it.
		 * A value below the poll interval means the poll interval.
		 * @param idlePollIntervalMax a positive duration
		 * @return this builder
		 */
		public Builder idlePollIntervalMax(Duration idlePollIntervalMax) {
			this.idlePollIntervalMax = positive("idlePollIntervalMax", idlePollIntervalMax);
			return this;
		}

		/**
		 * How shards are read (default {@link ConsumerMode#POLLING}).
		 * @param mode the mode
		 * @return this builder
		 */
		public Builder mode(ConsumerMode mode) {
			this.mode = Objects.requireNonNull(mode, "mode");
			return this;
		}

		/**
		 * Name of the registered stream consumer in fan-out mode (default: the
		 * application name). Workers of one application share it; another application
		 * needs another name to get its own throughput.
		 * @param fanOutConsumerName 1 to 128 characters of {@code [a-zA-Z0-9_.-]}
		 * @return this builder
		 */
		public Builder fanOutConsumerName(String fanOutConsumerName) {
			if (fanOutConsumerName != null && !fanOutConsumerName.matches("[a-zA-Z0-9_.-]{1,128}")) {
				throw new IllegalArgumentException("fanOutConsumerName must be 1 to 128 characters of a-z, A-Z, 0-9, "
						+ "'_', '.' and '-', got '" + fanOutConsumerName + "'");
			}
			this.fanOutConsumerName = fanOutConsumerName;
			return this;
		}

		/**
		 * Age at which a fan-out subscription is replaced by a new one that starts right
		 * after the last handled record (default 5 minutes, when Kinesis ends each
		 * subscription anyway). Replacing one sooner costs a short gap: Kinesis refuses a
		 * new subscription to the shard with ResourceInUseException for a few seconds
		 * after the old one closed, and the consumer retries with back-off.
		 * @param subscriptionRenewal positive, at most 5 minutes
		 * @return this builder
		 */
		public Builder subscriptionRenewal(Duration subscriptionRenewal) {
			positive("subscriptionRenewal", subscriptionRenewal);
			if (subscriptionRenewal.compareTo(Duration.ofMinutes(5)) > 0) {
				throw new IllegalArgumentException("subscriptionRenewal must be at most 5 minutes (Kinesis ends a "
						+ "subscription then), got " + subscriptionRenewal);
			}
			this.subscriptionRenewal = subscriptionRenewal;
			return this;
		}

		/**
		 * How long a fan-out subscription may deliver nothing, not even an empty event,
		 * before it counts as failed and is replaced (default 30 s; Kinesis sends an
		 * event at least every few seconds).
		 * @param subscriptionTimeout a positive duration
		 * @return this builder
		 */
		public Builder subscriptionTimeout(Duration subscriptionTimeout) {
			this.subscriptionTimeout = positive("subscriptionTimeout", subscriptionTimeout);
			return this;
		}

		/**
		 * Whether {@code close} deregisters the fan-out stream consumer (default false:
		 * other workers of the application may still use it, and registering again takes
		 * time). A registered consumer is billed while it exists.
		 * @param deregisterOnClose true to deregister
		 * @return this builder
		 */
		public Builder deregisterOnClose(boolean deregisterOnClose) {
			this.deregisterOnClose = deregisterOnClose;
			return this;
		}

		/**
		 * Builds the options.
		 * @return the options
		 * @throws IllegalArgumentException when AT_TIMESTAMP has no timestamp
		 */
		public ConsumerOptions build() {
			if (this.initialPosition == InitialPosition.AT_TIMESTAMP && this.startTimestamp == null) {
				throw new IllegalArgumentException("initialPosition AT_TIMESTAMP needs a start timestamp (startAt)");
			}
			return new ConsumerOptions(this);
		}

		private static Duration positive(String name, Duration value) {
			Objects.requireNonNull(value, name);
			if (value.isNegative() || value.isZero()) {
				throw new IllegalArgumentException(name + " must be positive, got " + value);
			}
			return value;
		}

		private static Duration atLeast(String name, Duration value, Duration min) {
			Objects.requireNonNull(value, name);
			if (value.compareTo(min) < 0) {
				throw new IllegalArgumentException(name + " (" + value + ") must not be below " + min);
			}
			return value;
		}

	}

}
