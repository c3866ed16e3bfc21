package dev.kinesisboot.autoconfigure;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

import dev.kinesisboot.aggregation.RecordFormat;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.asynckinesis.AsyncKinesisCheckpoint;
import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;
import dev.kinesisboot.checkpoint.redis.RedisCheckpointer;
import dev.kinesisboot.consumer.CheckpointMode;
import dev.kinesisboot.consumer.ConsumerMode;
import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.metrics.PrometheusMetricsCollector;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the Kinesis starter, under {@code kinesis.*}. A setting that maps to the
 * library's {@code ProducerOptions}, {@code ConsumerOptions} or
 * {@code ListenerErrorHandler} stays {@code null} unless set, so that the library's
 * defaults are the only ones (its Javadoc says what they are); the others default as
 * their field says, to the library's constant where there is one.
 */
@ConfigurationProperties("kinesis")
public class KinesisProperties {

	/**
	 * AWS region of the streams, such as us-east-1. Defaults to
	 * spring.cloud.aws.region.static when Spring Cloud AWS is present, else to the AWS
	 * SDK's default region chain.
	 */
	private String region;

	/**
	 * Endpoint of the Kinesis API, for a local emulator such as http://127.0.0.1:4567.
	 * Unset for AWS.
	 */
	private URI endpoint;

	/**
	 * Most concurrent requests (connections over HTTP/1.1) of the Kinesis client. A
	 * fan-out subscription holds one for its whole life, so this bounds the shards one
	 * application reads over fan-out against an HTTP/1.1 endpoint.
	 */
	private int maxConcurrency = 500;

	/**
	 * Static credentials, for local development only; unset uses the AWS default
	 * credentials chain (or Spring Cloud AWS's).
	 */
	@NestedConfigurationProperty
	private final Credentials credentials = new Credentials();

	/**
	 * The default producer and KinesisTemplate.
	 */
	@NestedConfigurationProperty
	private final Producer producer = new Producer();

	/**
	 * Defaults of every @KinesisListener container.
	 */
	@NestedConfigurationProperty
	private final Consumer consumer = new Consumer();

	/**
	 * Where listeners keep leases and checkpoints.
	 */
	@NestedConfigurationProperty
	private final Checkpoint checkpoint = new Checkpoint();

	/**
	 * Metrics of producers and consumers.
	 */
	@NestedConfigurationProperty
	private final Metrics metrics = new Metrics();

	public String getRegion() {
		return this.region;
	}

	public void setRegion(String region) {
		this.region = region;
	}

	public URI getEndpoint() {
		return this.endpoint;
	}

	public void setEndpoint(URI endpoint) {
		this.endpoint = endpoint;
	}

	public int getMaxConcurrency() {
		return this.maxConcurrency;
	}

	public void setMaxConcurrency(int maxConcurrency) {
		this.maxConcurrency = maxConcurrency;
	}

	public Credentials getCredentials() {
		return this.credentials;
	}

	public Producer getProducer() {
		return this.producer;
	}

	public Consumer getConsumer() {
		return this.consumer;
	}

	public Checkpoint getCheckpoint() {
		return this.checkpoint;
	}

	public Metrics getMetrics() {
		return this.metrics;
	}

	/**
	 * Static credentials.
	 */
	public static class Credentials {

		/**
		 * Access key id.
		 */
		private String accessKey;

		/**
		 * Secret access key.
		 */
		private String secretKey;

		public String getAccessKey() {
			return this.accessKey;
		}

		public void setAccessKey(String accessKey) {
			this.accessKey = accessKey;
		}

		public String getSecretKey() {
			return this.secretKey;
		}

		public void setSecretKey(String secretKey) {
			this.secretKey = secretKey;
		}

	}

	/**
	 * Producer settings.
	 */
	public static class Producer {

		/**
		 * Stream of the default KinesisProducer bean; unset creates no such bean
		 * (KinesisTemplate works for any stream either way).
		 */
		private String streamName;

		/**
		 * Record format KinesisTemplate writes, one of RecordFormat's names
		 * (async-kinesis's processors): JSON_LINES, JSON_LIST, NETSTRING, MSGPACK,
		 * STRING, ...; unset sends byte[] and text as they are and other payloads as
		 * JSON.
		 */
		private RecordFormat format;

		/**
		 * Longest time a record waits before its batch is sent. Defaults to 500ms.
		 */
		private Duration bufferTime;

		/**
		 * Most records waiting to be sent, per stream. Defaults to 10000.
		 */
		private Integer maxQueueSize;

		/**
		 * How long a send waits for room in a full queue before it fails. Defaults to 5s.
		 */
		private Duration queueFullTimeout;

		/**
		 * Most records per PutRecords call (at most 500). Defaults to 500.
		 */
		private Integer maxBatchRecords;

		/**
		 * Most bytes per PutRecords call, data and partition keys (1MB to 10MB, the
		 * PutRecords limit). Defaults to 10MB.
		 */
		private DataSize maxBatchSize;

		/**
		 * Whether records are paced to the per-shard limits. Defaults to true.
		 */
		private Boolean rateLimitEnabled;

		/**
		 * Records per second sent to one shard. Defaults to 1000.
		 */
		private Integer recordsPerSecondPerShard;

		/**
		 * Bytes per second sent to one shard. Defaults to 1MB.
		 */
		private DataSize bytesPerSecondPerShard;

		/**
		 * Most PutRecords calls in flight at once, per stream. Defaults to 8.
		 */
		private Integer maxInFlightBatches;

		/**
		 * Whether records of a shard are sent one batch at a time, keeping their order.
		 * Defaults to false.
		 */
		private Boolean orderedPerShard;

		/**
		 * Most times a record is sent before it fails. Defaults to 20.
		 */
		private Integer maxAttempts;

		/**
		 * How long after the send a record may still be retried. Defaults to 2m.
		 */
		private Duration recordTtl;

		/**
		 * First retry delay; it doubles on each further attempt. Defaults to 100ms.
		 */
		private Duration retryBackoff;

		/**
		 * Longest retry delay. Defaults to 5s.
		 */
		private Duration retryBackoffMax;

		/**
		 * How long shutdown waits for queued records to be sent. Defaults to 30s.
		 */
		private Duration closeTimeout;

		/**
		 * How often the shard map is read again to follow resharding. Defaults to 60s.
		 */
		private Duration shardRefreshInterval;

		/**
		 * Whether small records are packed into KPL-format aggregated records (consumers
		 * of this starter and the KCL unpack them). Defaults to false.
		 */
		private Boolean aggregationEnabled;

		/**
		 * Largest aggregated record, overhead included (1KB to 1MB). Defaults to 1023KB.
		 */
		private DataSize aggregationMaxSize;

		/**
		 * Whether a missing stream is created (development and tests only). Defaults to
		 * false.
		 */
		private Boolean createStream;

		/**
		 * Shard count of a stream created by create-stream. Defaults to 1.
		 */
		private Integer createStreamShardCount;

		/**
		 * Whether KinesisTemplate sends are Micrometer observations (also needs an
		 * ObservationRegistry bean).
		 */
		private boolean observationEnabled;

		public Boolean getAggregationEnabled() {
			return this.aggregationEnabled;
		}

		public void setAggregationEnabled(Boolean aggregationEnabled) {
			this.aggregationEnabled = aggregationEnabled;
		}

		public DataSize getAggregationMaxSize() {
			return this.aggregationMaxSize;
		}

		public void setAggregationMaxSize(DataSize aggregationMaxSize) {
			this.aggregationMaxSize = aggregationMaxSize;
		}

		public String getStreamName() {
			return this.streamName;
		}

		public RecordFormat getFormat() {
			return this.format;
		}

		public void setFormat(RecordFormat format) {
			this.format = format;
		}

		public void setStreamName(String streamName) {
			this.streamName = streamName;
		}

		public Duration getBufferTime() {
			return this.bufferTime;
		}

		public void setBufferTime(Duration bufferTime) {
			this.bufferTime = bufferTime;
		}

		public Integer getMaxQueueSize() {
			return this.maxQueueSize;
		}

		public void setMaxQueueSize(Integer maxQueueSize) {
			this.maxQueueSize = maxQueueSize;
		}

		public Duration getQueueFullTimeout() {
			return this.queueFullTimeout;
		}

		public void setQueueFullTimeout(Duration queueFullTimeout) {
			this.queueFullTimeout = queueFullTimeout;
		}

		public Integer getMaxBatchRecords() {
			return this.maxBatchRecords;
		}

		public void setMaxBatchRecords(Integer maxBatchRecords) {
			this.maxBatchRecords = maxBatchRecords;
		}

		public DataSize getMaxBatchSize() {
			return this.maxBatchSize;
		}

		public void setMaxBatchSize(DataSize maxBatchSize) {
			this.maxBatchSize = maxBatchSize;
		}

		public Boolean getRateLimitEnabled() {
			return this.rateLimitEnabled;
		}

		public void setRateLimitEnabled(Boolean rateLimitEnabled) {
			this.rateLimitEnabled = rateLimitEnabled;
		}

		public Integer getRecordsPerSecondPerShard() {
			return this.recordsPerSecondPerShard;
		}

		public void setRecordsPerSecondPerShard(Integer recordsPerSecondPerShard) {
			this.recordsPerSecondPerShard = recordsPerSecondPerShard;
		}

		public DataSize getBytesPerSecondPerShard() {
			return this.bytesPerSecondPerShard;
		}

		public void setBytesPerSecondPerShard(DataSize bytesPerSecondPerShard) {
			this.bytesPerSecondPerShard = bytesPerSecondPerShard;
		}

		public Integer getMaxInFlightBatches() {
			return this.maxInFlightBatches;
		}

		public void setMaxInFlightBatches(Integer maxInFlightBatches) {
			this.maxInFlightBatches = maxInFlightBatches;
		}

		public Boolean getOrderedPerShard() {
			return this.orderedPerShard;
		}

		public void setOrderedPerShard(Boolean orderedPerShard) {
			this.orderedPerShard = orderedPerShard;
		}

		public Integer getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(Integer maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public Duration getRecordTtl() {
			return this.recordTtl;
		}

		public void setRecordTtl(Duration recordTtl) {
			this.recordTtl = recordTtl;
		}

		public Duration getRetryBackoff() {
			return this.retryBackoff;
		}

		public void setRetryBackoff(Duration retryBackoff) {
			this.retryBackoff = retryBackoff;
		}

		public Duration getRetryBackoffMax() {
			return this.retryBackoffMax;
		}

		public void setRetryBackoffMax(Duration retryBackoffMax) {
			this.retryBackoffMax = retryBackoffMax;
		}

		public Duration getCloseTimeout() {
			return this.closeTimeout;
		}

		public void setCloseTimeout(Duration closeTimeout) {
			this.closeTimeout = closeTimeout;
		}

		public Duration getShardRefreshInterval() {
			return this.shardRefreshInterval;
		}

		public void setShardRefreshInterval(Duration shardRefreshInterval) {
			this.shardRefreshInterval = shardRefreshInterval;
		}

		public Boolean getCreateStream() {
			return this.createStream;
		}

		public void setCreateStream(Boolean createStream) {
			this.createStream = createStream;
		}

		public Integer getCreateStreamShardCount() {
			return this.createStreamShardCount;
		}

		public void setCreateStreamShardCount(Integer createStreamShardCount) {
			this.createStreamShardCount = createStreamShardCount;
		}

		public boolean isObservationEnabled() {
			return this.observationEnabled;
		}

		public void setObservationEnabled(boolean observationEnabled) {
			this.observationEnabled = observationEnabled;
		}

	}

	/**
	 * Enhanced fan-out settings.
	 */
	public static class FanOut {

		/**
		 * Name of the registered stream consumer; defaults to the consumer group. It is
		 * registered at start when missing and reused when present.
		 */
		private String consumerName;

		/**
		 * Age at which a subscription is replaced by a new one (Kinesis ends each one
		 * after 5 minutes). Defaults to 5m.
		 */
		private Duration subscriptionRenewal;

		/**
		 * How long a subscription may deliver nothing before it is replaced. Defaults to
		 * 30s.
		 */
		private Duration subscriptionTimeout;

		/**
		 * Whether the stream consumer is deregistered on shutdown. Defaults to false:
		 * other instances may still use it. A registered consumer is billed while it
		 * exists.
		 */
		private Boolean deregisterOnShutdown;

		public String getConsumerName() {
			return this.consumerName;
		}

		public void setConsumerName(String consumerName) {
			this.consumerName = consumerName;
		}

		public Duration getSubscriptionRenewal() {
			return this.subscriptionRenewal;
		}

		public void setSubscriptionRenewal(Duration subscriptionRenewal) {
			this.subscriptionRenewal = subscriptionRenewal;
		}

		public Duration getSubscriptionTimeout() {
			return this.subscriptionTimeout;
		}

		public void setSubscriptionTimeout(Duration subscriptionTimeout) {
			this.subscriptionTimeout = subscriptionTimeout;
		}

		public Boolean getDeregisterOnShutdown() {
			return this.deregisterOnShutdown;
		}

		public void setDeregisterOnShutdown(Boolean deregisterOnShutdown) {
			this.deregisterOnShutdown = deregisterOnShutdown;
		}

	}

	/**
	 * Consumer (listener) settings.
	 */
	public static class Consumer {

		/**
		 * Consumer group: listeners of one group share the shards of a stream and its
		 * checkpoints. Defaults to spring.application.name.
		 */
		private String group;

		/**
		 * Where a shard without a checkpoint starts. Defaults to latest.
		 */
		private InitialPosition startPosition;

		/**
		 * Start time when start-position is AT_TIMESTAMP.
		 */
		private Instant startTimestamp;

		/**
		 * How shards are read: polling (GetRecords, shared throughput, no extra cost) or
		 * fan-out (enhanced fan-out over SubscribeToShard: own throughput and lower
		 * latency, billed by AWS per consumer-shard hour and per GB). Defaults to
		 * polling.
		 */
		private ConsumerMode mode;

		/**
		 * Enhanced fan-out settings, used when mode is fan-out.
		 */
		@NestedConfigurationProperty
		private final FanOut fanOut = new FanOut();

		/**
		 * How long a caught-up shard waits before reading again. Defaults to 500ms.
		 */
		private Duration pollInterval;

		/**
		 * Longest wait between reads of a shard that keeps coming back empty; the wait
		 * doubles from poll-interval up to this. Defaults to 2s.
		 */
		private Duration idlePollIntervalMax;

		/**
		 * Most records per GetRecords call (at most 10000). Defaults to 10000.
		 */
		private Integer maxRecordsPerCall;

		/**
		 * How often the shard list is read again to find new shards. Defaults to 30s.
		 */
		private Duration shardRefreshInterval;

		/**
		 * Most records read but not yet handled, per listener container. Defaults to
		 * 10000.
		 */
		private Integer maxQueueSize;

		/**
		 * Threads that run listener methods, per stream a listener reads; unused when
		 * listener calls run on virtual threads (spring.threads.virtual.enabled) or on a
		 * kinesisListenerTaskExecutor bean. Defaults to 4.
		 */
		private Integer handlerThreads;

		/**
		 * Whether checkpoints are written after each handled batch (auto) or only when
		 * the listener acknowledges (manual). Defaults to auto.
		 */
		private CheckpointMode checkpointMode;

		/**
		 * Least time between two checkpoint writes of a shard (auto mode); zero writes
		 * after every batch. A crash re-reads up to this much. Defaults to 5s.
		 */
		private Duration checkpointInterval;

		/**
		 * How long a shard lease lasts without renewal; a crashed worker's shards move
		 * after it. Defaults to 10s.
		 */
		private Duration leaseDuration = CheckpointerSettings.DEFAULT_LEASE_DURATION;

		/**
		 * Attempts before a failing record goes to the dead-letter stream (or is logged
		 * and skipped when none is set); 0 retries for ever. Defaults to 10.
		 */
		private Integer maxAttempts;

		/**
		 * Stream that receives records the listener failed max-attempts times.
		 */
		private String deadLetterStream;

		/**
		 * First delay before a failed listener call is retried; doubles up to
		 * retry-backoff-max. Defaults to 500ms.
		 */
		private Duration retryBackoff;

		/**
		 * Longest delay before a failed listener call is retried. Defaults to 30s.
		 */
		private Duration retryBackoffMax;

		/**
		 * How long shutdown waits for running listener calls. Defaults to 30s.
		 */
		private Duration shutdownTimeout;

		/**
		 * Whether a listener stream that does not exist is created (development and tests
		 * only).
		 */
		private boolean createStream;

		/**
		 * Shard count of a stream created by create-stream.
		 */
		private int createStreamShardCount = 1;

		/**
		 * Whether @KinesisListener calls are Micrometer observations (also needs an
		 * ObservationRegistry bean).
		 */
		private boolean observationEnabled;

		public String getGroup() {
			return this.group;
		}

		public ConsumerMode getMode() {
			return this.mode;
		}

		public void setMode(ConsumerMode mode) {
			this.mode = mode;
		}

		public FanOut getFanOut() {
			return this.fanOut;
		}

		public Duration getIdlePollIntervalMax() {
			return this.idlePollIntervalMax;
		}

		public void setIdlePollIntervalMax(Duration idlePollIntervalMax) {
			this.idlePollIntervalMax = idlePollIntervalMax;
		}

		public void setGroup(String group) {
			this.group = group;
		}

		public InitialPosition getStartPosition() {
			return this.startPosition;
		}

		public void setStartPosition(InitialPosition startPosition) {
			this.startPosition = startPosition;
		}

		public Instant getStartTimestamp() {
			return this.startTimestamp;
		}

		public void setStartTimestamp(Instant startTimestamp) {
			this.startTimestamp = startTimestamp;
		}

		public Duration getPollInterval() {
			return this.pollInterval;
		}

		public void setPollInterval(Duration pollInterval) {
			this.pollInterval = pollInterval;
		}

		public Integer getMaxRecordsPerCall() {
			return this.maxRecordsPerCall;
		}

		public void setMaxRecordsPerCall(Integer maxRecordsPerCall) {
			this.maxRecordsPerCall = maxRecordsPerCall;
		}

		public Duration getShardRefreshInterval() {
			return this.shardRefreshInterval;
		}

		public void setShardRefreshInterval(Duration shardRefreshInterval) {
			this.shardRefreshInterval = shardRefreshInterval;
		}

		public Integer getMaxQueueSize() {
			return this.maxQueueSize;
		}

		public void setMaxQueueSize(Integer maxQueueSize) {
			this.maxQueueSize = maxQueueSize;
		}

		public Integer getHandlerThreads() {
			return this.handlerThreads;
		}

		public void setHandlerThreads(Integer handlerThreads) {
			this.handlerThreads = handlerThreads;
		}

		public CheckpointMode getCheckpointMode() {
			return this.checkpointMode;
		}

		public void setCheckpointMode(CheckpointMode checkpointMode) {
			this.checkpointMode = checkpointMode;
		}

		public Duration getCheckpointInterval() {
			return this.checkpointInterval;
		}

		public void setCheckpointInterval(Duration checkpointInterval) {
			this.checkpointInterval = checkpointInterval;
		}

		public Duration getLeaseDuration() {
			return this.leaseDuration;
		}

		public void setLeaseDuration(Duration leaseDuration) {
			this.leaseDuration = leaseDuration;
		}

		public Integer getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(Integer maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public String getDeadLetterStream() {
			return this.deadLetterStream;
		}

		public void setDeadLetterStream(String deadLetterStream) {
			this.deadLetterStream = deadLetterStream;
		}

		public Duration getRetryBackoff() {
			return this.retryBackoff;
		}

		public void setRetryBackoff(Duration retryBackoff) {
			this.retryBackoff = retryBackoff;
		}

		public Duration getRetryBackoffMax() {
			return this.retryBackoffMax;
		}

		public void setRetryBackoffMax(Duration retryBackoffMax) {
			this.retryBackoffMax = retryBackoffMax;
		}

		public Duration getShutdownTimeout() {
			return this.shutdownTimeout;
		}

		public void setShutdownTimeout(Duration shutdownTimeout) {
			this.shutdownTimeout = shutdownTimeout;
		}

		public boolean isCreateStream() {
			return this.createStream;
		}

		public void setCreateStream(boolean createStream) {
			this.createStream = createStream;
		}

		public int getCreateStreamShardCount() {
			return this.createStreamShardCount;
		}

		public void setCreateStreamShardCount(int createStreamShardCount) {
			this.createStreamShardCount = createStreamShardCount;
		}

		public boolean isObservationEnabled() {
			return this.observationEnabled;
		}

		public void setObservationEnabled(boolean observationEnabled) {
			this.observationEnabled = observationEnabled;
		}

	}

	/**
	 * Checkpoint store settings.
	 */
	public static class Checkpoint {

		/**
		 * Where leases and checkpoints live: memory (one process), redis or dynamodb.
		 */
		private Store store = Store.MEMORY;

		/**
		 * Redis settings (the application's RedisConnectionFactory is used).
		 */
		@NestedConfigurationProperty
		private final Redis redis = new Redis();

		/**
		 * DynamoDB settings.
		 */
		@NestedConfigurationProperty
		private final DynamoDb dynamodb = new DynamoDb();

		/**
		 * Imports the checkpoints of an async-kinesis consumer group (the Python library)
		 * at start-up, from its redis or dynamodb layout, once per shard and only where
		 * this store has no checkpoint yet; unset imports nothing.
		 */
		private ImportFrom importFrom;

		/**
		 * Name of the async-kinesis checkpointer to import from (its name argument);
		 * defaults to each listener's consumer group.
		 */
		private String importName;

		/**
		 * Import even while async-kinesis workers hold live leases (stop them first, or
		 * both read the shards).
		 */
		private boolean importForce;

		/**
		 * The async-kinesis consumers' session timeout: a lease counts as live this long
		 * after its heartbeat. Defaults to 60s.
		 */
		private Duration importSessionTimeout = AsyncKinesisCheckpoint.DEFAULT_SESSION_TIMEOUT;

		/**
		 * DynamoDB table to import from; defaults to kinesis-checkpoints-<name>.
		 */
		private String importTable;

		/**
		 * DynamoDB endpoint to import from; defaults to
		 * kinesis.checkpoint.dynamodb.endpoint, else the AWS endpoint of the region.
		 */
		private URI importEndpoint;

		public ImportFrom getImportFrom() {
			return this.importFrom;
		}

		public void setImportFrom(ImportFrom importFrom) {
			this.importFrom = importFrom;
		}

		public String getImportName() {
			return this.importName;
		}

		public void setImportName(String importName) {
			this.importName = importName;
		}

		public boolean isImportForce() {
			return this.importForce;
		}

		public void setImportForce(boolean importForce) {
			this.importForce = importForce;
		}

		public Duration getImportSessionTimeout() {
			return this.importSessionTimeout;
		}

		public void setImportSessionTimeout(Duration importSessionTimeout) {
			this.importSessionTimeout = importSessionTimeout;
		}

		public String getImportTable() {
			return this.importTable;
		}

		public void setImportTable(String importTable) {
			this.importTable = importTable;
		}

		public URI getImportEndpoint() {
			return this.importEndpoint;
		}

		public void setImportEndpoint(URI importEndpoint) {
			this.importEndpoint = importEndpoint;
		}

		public Store getStore() {
			return this.store;
		}

		public void setStore(Store store) {
			this.store = store;
		}

		public Redis getRedis() {
			return this.redis;
		}

		public DynamoDb getDynamodb() {
			return this.dynamodb;
		}

		/**
		 * Where async-kinesis kept the checkpoints to import.
		 */
		public enum ImportFrom {

			/**
			 * RedisCheckPointer: keys pyredis-<name>-<shardId> in the application's
			 * Redis.
			 */
			REDIS,

			/** DynamoDBCheckPointer: table kinesis-checkpoints-<name>. */
			DYNAMODB

		}

		/**
		 * Checkpoint stores.
		 */
		public enum Store {

			/** In memory: one process, lost on restart. */
			MEMORY,

			/** Redis, through the application's RedisConnectionFactory. */
			REDIS,

			/** A DynamoDB table. */
			DYNAMODB

		}

		/**
		 * Redis checkpoint store settings.
		 */
		public static class Redis {

			/**
			 * Prefix of every key. Defaults to kinesis.
			 */
			private String keyPrefix = RedisCheckpointer.DEFAULT_KEY_PREFIX;

			public String getKeyPrefix() {
				return this.keyPrefix;
			}

			public void setKeyPrefix(String keyPrefix) {
				this.keyPrefix = keyPrefix;
			}

		}

		/**
		 * DynamoDB checkpoint store settings.
		 */
		public static class DynamoDb {

			/**
			 * Table holding leases and checkpoints. Defaults to kinesis-checkpoints.
			 */
			private String tableName = DynamoDbCheckpointer.DEFAULT_TABLE_NAME;

			/**
			 * Whether the table is created (on-demand billing) when missing.
			 */
			private boolean createTable;

			/**
			 * Partition keys a consumer group that starts for the first time spreads its
			 * leases over (1 to 1000). Groups that already have leases keep their layout.
			 * Defaults to 16.
			 */
			private int leaseBuckets = DynamoDbCheckpointer.DEFAULT_LEASE_BUCKETS;

			/**
			 * Endpoint of the DynamoDB API, for a local emulator; unset for AWS.
			 */
			private URI endpoint;

			public int getLeaseBuckets() {
				return this.leaseBuckets;
			}

			public void setLeaseBuckets(int leaseBuckets) {
				this.leaseBuckets = leaseBuckets;
			}

			public String getTableName() {
				return this.tableName;
			}

			public void setTableName(String tableName) {
				this.tableName = tableName;
			}

			public boolean isCreateTable() {
				return this.createTable;
			}

			public void setCreateTable(boolean createTable) {
				this.createTable = createTable;
			}

			public URI getEndpoint() {
				return this.endpoint;
			}

			public void setEndpoint(URI endpoint) {
				this.endpoint = endpoint;
			}

		}

	}

	/**
	 * Metrics settings.
	 */
	public static class Metrics {

		/**
		 * Whether producers and consumers report metrics to the application's
		 * MeterRegistry.
		 */
		private boolean enabled = true;

		/**
		 * Prefix of every metric name, such as kinesis in
		 * kinesis_producer_records_sent_total. Defaults to kinesis.
		 */
		private String namespace = PrometheusMetricsCollector.DEFAULT_NAMESPACE;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getNamespace() {
			return this.namespace;
		}

		public void setNamespace(String namespace) {
			this.namespace = namespace;
		}

	}

}
