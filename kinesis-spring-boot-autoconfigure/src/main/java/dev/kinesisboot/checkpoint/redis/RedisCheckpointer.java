package dev.kinesisboot.checkpoint.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import dev.kinesisboot.checkpoint.AbstractCheckpointer;
import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.LeaseLostException;
import dev.kinesisboot.checkpoint.WorkerBeat;
import dev.kinesisboot.metrics.KinesisMetrics;
import dev.kinesisboot.metrics.MetricLabels;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Keeps leases and checkpoints in Redis, through Spring Data Redis, so that consumers on
 * several machines share them and progress survives restarts.
 *
 * <h2>Data</h2> One hash per shard, at
 * {@code prefix:{applicationName:streamName}:shardId} (for example
 * {@code kinesis:{orders-service:orders}:shardId-000000000000}), with the fields
 * {@code owner} (absent when free), {@code counter}, {@code expiresAt} (epoch
 * milliseconds of the {@linkplain #clock() checkpointer's clock}; absent when free) and
 * {@code checkpoint} ({@link Checkpoint#toText()}). A set at
 * {@code prefix:{applicationName:streamName}:shards} lists the shard ids of the stream,
 * and a hash at {@code prefix:{applicationName:streamName}:workers} holds each worker's
 * heartbeat ({@link WorkerBeat}: heartbeats written, leases held, change counter,
 * expiry), written and read back by one script per lease cycle. Keys never expire:
 * progress is kept until deleted.
 *
 * <h2>Atomicity</h2> Every change is one Lua script that checks and writes in one step: a
 * take compares {@code owner} and {@code counter} with the lease the caller read (or
 * requires that there is none), while renewals, checkpoints and releases require that
 * this worker is the owner. A checkpoint refused that way fails with
 * {@link LeaseLostException}.
 *
 * <h2>Redis Cluster</h2> Supported: the part between braces is a hash tag, so every key
 * of one stream and group lands in the same slot, and each script only touches the keys
 * it is given. Different streams spread over the cluster. Writes are as durable as the
 * server's persistence settings; with asynchronous replication a fail-over may lose the
 * last writes (a lease may then be read twice: delivery stays at least once).
 *
 * <h2>Why the reactive API</h2> The checkpointer's operations return
 * {@link CompletableFuture}s and are chained from the consumer's asynchronous fetch
 * loops; the reactive template (Lettuce, Spring Boot's default Redis client) runs them
 * without blocking a thread per call, and a time-out cancels a command instead of leaving
 * a thread waiting. Jedis has no reactive API and is therefore not supported.
 *
 * <h2>Failures</h2> Each operation is bounded by {@link Builder#operationTimeout
 * operationTimeout}: when Redis is down or does not answer, the future fails (with
 * {@link QueryTimeoutException} or the connection error) instead of waiting for the
 * client's own, much longer, command time-out. The consumer keeps reading and retries;
 * failed checkpoint writes are counted in {@code consumer_checkpoint_failure_total}.
 * <p>
 * Lease expiry compares times of the workers' clocks: keep them in sync (NTP), well
 * within the lease duration. Thread-safe. {@link #close()} does not close the connection
 * factory, which belongs to the caller.
 */
public class RedisCheckpointer extends AbstractCheckpointer {

	/** The key prefix used unless another is set. */
	public static final String DEFAULT_KEY_PREFIX = "kinesis";

	/** The longest an operation may take unless set otherwise (or half the lease). */
	public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(5);

	static final String OWNER = "owner";

	static final String COUNTER = "counter";

	static final String EXPIRES_AT = "expiresAt";

	static final String CHECKPOINT = "checkpoint";

	private static final List<String> FIELDS = List.of(OWNER, COUNTER, EXPIRES_AT, CHECKPOINT);

	// KEYS[1] lease hash, KEYS[2] shard index; ARGV[1] expected owner ('' = free),
	// ARGV[2] expected counter ('' = no lease read), ARGV[3] new owner, ARGV[4] expiry,
	// ARGV[5] shard id
	private static final RedisScript<Long> TAKE = RedisScript.of("""
			if ARGV[2] == '' then
			  if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
			  redis.call('HSET', KEYS[1], 'owner', ARGV[3], 'counter', 1, 'expiresAt', ARGV[4])
			else
			  local counter = redis.call('HGET', KEYS[1], 'counter')
			  local owner = redis.call('HGET', KEYS[1], 'owner') or ''
			  if counter ~= ARGV[2] or owner ~= ARGV[1] then return 0 end
			  redis.call('HSET', KEYS[1], 'owner', ARGV[3], 'expiresAt', ARGV[4])
			  redis.call('HINCRBY', KEYS[1], 'counter', 1)
			end
			redis.call('SADD', KEYS[2], ARGV[5])
			return 1
			""", Long.class);

	// KEYS[1] lease hash; ARGV[1] this worker, ARGV[2] new expiry
	private static final RedisScript<Long> RENEW = RedisScript.of("""
			if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
			redis.call('HSET', KEYS[1], 'expiresAt', ARGV[2])
			redis.call('HINCRBY', KEYS[1], 'counter', 1)
			return 1
			""", Long.class);

	// KEYS[1] lease hash; ARGV[1] this worker, ARGV[2] checkpoint text, ARGV[3] the text
	// of SHARD_END, which no later write replaces (empty when re-opening a shard)
	private static final RedisScript<Long> CHECKPOINT_SCRIPT = RedisScript.of("""
			if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
			if redis.call('HGET', KEYS[1], 'checkpoint') == ARGV[3] then return 1 end
			redis.call('HSET', KEYS[1], 'checkpoint', ARGV[2])
			return 1
			""", Long.class);

	// KEYS[1] lease hash; ARGV[1] this worker
	private static final RedisScript<Long> RELEASE = RedisScript.of("""
			if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
			redis.call('HDEL', KEYS[1], 'owner', 'expiresAt')
			redis.call('HINCRBY', KEYS[1], 'counter', 1)
			return 1
			""", Long.class);

	// KEYS[1] heartbeat hash; ARGV[1] this worker, ARGV[2] 'leases changes expiresAt'.
	// Stores 'written leases changes expiresAt' and returns every field and value, one
	// per line
	private static final RedisScript<String> BEAT = RedisScript.of("""
			local before = redis.call('HGET', KEYS[1], ARGV[1])
			local written = 1
			if before then written = tonumber(string.match(before, '^(%d+)')) + 1 end
			redis.call('HSET', KEYS[1], ARGV[1], written .. ' ' .. ARGV[2])
			local all = redis.call('HGETALL', KEYS[1])
			return table.concat(all, '\\n')
			""", String.class);

	private final ReactiveStringRedisTemplate redis;

	private final String keyBase;

	private final String indexKey;

	private final String workersKey;

	private final Duration operationTimeout;

	private RedisCheckpointer(Builder builder) {
		super(builder.settings);
		this.redis = new ReactiveStringRedisTemplate(builder.connectionFactory);
		this.keyBase = builder.keyPrefix + ":{" + applicationName() + ":" + streamName() + "}:";
		this.indexKey = this.keyBase + "shards";
		this.workersKey = this.keyBase + "workers";
		this.operationTimeout = (builder.operationTimeout != null) ? builder.operationTimeout
				: min(DEFAULT_OPERATION_TIMEOUT, leaseDuration().dividedBy(2));
		// until a consumer binds it: the process-wide default collector, as a standalone
		// checkpointer
		bindMetrics(KinesisMetrics.getMetricsCollector(), MetricLabels.stream(MetricLabels.STANDALONE_STREAM));
	}

	/**
	 * Starts building a checkpointer.
	 * @param settings the group, stream, worker id, lease duration and checkpoint mode
	 * @param connectionFactory the Redis connections (Lettuce); not closed by the
	 * checkpointer
	 * @return a builder
	 */
	public static Builder builder(CheckpointerSettings settings, ReactiveRedisConnectionFactory connectionFactory) {
		return new Builder(settings, connectionFactory);
	}

	/**
	 * The key of a shard's lease hash.
	 * @param shardId the shard
	 * @return for example {@code kinesis:{orders-service:orders}:shardId-000000000000}
	 */
	public String leaseKey(String shardId) {
		return this.keyBase + shardId;
	}

	/**
	 * The key of the set of shard ids of this stream and group.
	 * @return for example {@code kinesis:{orders-service:orders}:shards}
	 */
	public String indexKey() {
		return this.indexKey;
	}

	/**
	 * The longest an operation may take before its future fails.
	 * @return the time-out
	 */
	public Duration operationTimeout() {
		return this.operationTimeout;
	}

	@Override
	public CompletableFuture<List<Lease>> listLeases() {
		Mono<List<Lease>> leases = this.redis.opsForSet()
			.members(this.indexKey)
			.flatMap((shardId) -> this.redis.<String, String>opsForHash()
				.multiGet(leaseKey(shardId), FIELDS)
				.flatMap((values) -> Mono.justOrEmpty(toLease(shardId, values))))
			.sort(Comparator.comparing(Lease::shardId))
			.collectList();
		return bounded(leases, "list the leases");
	}

	@Override
	protected CompletableFuture<Optional<Checkpoint>> readCheckpoint(String shardId) {
		Mono<Optional<Checkpoint>> checkpoint = this.redis.<String, String>opsForHash()
			.get(leaseKey(shardId), CHECKPOINT)
			.map((text) -> Optional.of(Checkpoint.fromText(text)))
			.defaultIfEmpty(Optional.empty());
		return bounded(checkpoint, "read the checkpoint of " + shardId);
	}

	@Override
	public CompletableFuture<Boolean> takeLease(String shardId, Lease expected) {
		String expectedOwner = (expected != null && expected.owner() != null) ? expected.owner() : "";
		String expectedCounter = (expected != null) ? Long.toString(expected.counter()) : "";
		return script(TAKE, List.of(leaseKey(shardId), this.indexKey), expectedOwner, expectedCounter, workerId(),
				millis(newExpiry()), shardId)
			.thenApply((result) -> result == 1L);
	}

	@Override
	public CompletableFuture<Boolean> renewLease(String shardId) {
		return script(RENEW, List.of(leaseKey(shardId)), workerId(), millis(newExpiry()))
			.thenApply((result) -> result == 1L);
	}

	@Override
	protected CompletableFuture<Void> writeCheckpoint(String shardId, Checkpoint checkpoint) {
		return write(shardId, checkpoint, Checkpoint.SHARD_END.toText());
	}

	@Override
	protected CompletableFuture<Void> writeReopen(String shardId, Checkpoint checkpoint) {
		// no stored text equals the empty string: nothing is kept
		return write(shardId, checkpoint, "");
	}

	private CompletableFuture<Void> write(String shardId, Checkpoint checkpoint, String kept) {
		return script(CHECKPOINT_SCRIPT, List.of(leaseKey(shardId)), workerId(), checkpoint.toText(), kept)
			.thenAccept((result) -> {
				if (result != 1L) {
					throw new LeaseLostException(shardId, "Worker " + workerId() + " does not hold the lease of shard "
							+ shardId + " (" + leaseKey(shardId) + "); checkpoint " + checkpoint + " refused");
				}
			});
	}

	@Override
	protected CompletableFuture<Void> writeRelease(String shardId) {
		return script(RELEASE, List.of(leaseKey(shardId)), workerId()).thenAccept((result) -> {
		});
	}

	@Override
	public CompletableFuture<List<WorkerBeat>> beat(int leases, long changes) {
		String value = leases + " " + changes + " " + millis(newExpiry());
		Mono<List<WorkerBeat>> beats = this.redis.execute(BEAT, List.of(this.workersKey), List.of(workerId(), value))
			.next()
			.defaultIfEmpty("")
			.map(RedisCheckpointer::toBeats);
		return bounded(beats, "write the heartbeat");
	}

	@Override
	public CompletableFuture<Void> endBeat() {
		return bounded(this.redis.opsForHash().remove(this.workersKey, workerId()).then(), "remove the heartbeat");
	}

	private static List<WorkerBeat> toBeats(String lines) {
		List<WorkerBeat> beats = new ArrayList<>();
		String[] fields = lines.isEmpty() ? new String[0] : lines.split("\n", -1);
		for (int i = 0; i + 1 < fields.length; i += 2) {
			String[] value = fields[i + 1].split(" ");
			beats.add(new WorkerBeat(fields[i], Integer.parseInt(value[1]), Long.parseLong(value[2]),
					Instant.ofEpochMilli(Long.parseLong(value[3])), Long.parseLong(value[0])));
		}
		return beats;
	}

	private CompletableFuture<Long> script(RedisScript<Long> script, List<String> keys, String... args) {
		Mono<Long> result = this.redis.execute(script, keys, List.of(args)).next().defaultIfEmpty(0L);
		return bounded(result, "run a lease script on " + keys.get(0));
	}

	private <T> CompletableFuture<T> bounded(Mono<T> operation, String what) {
		try {
			// subscribed on another thread: getting the first connection may block
			return operation.subscribeOn(Schedulers.boundedElastic())
				.timeout(this.operationTimeout)
				.onErrorMap(TimeoutException.class,
						(ex) -> new QueryTimeoutException(
								"Redis did not answer within " + this.operationTimeout.toMillis()
										+ " ms when trying to " + what + " (stream '" + streamName() + "')",
								ex))
				// callers' continuations must not run on (and block) the client's I/O
				// threads
				.publishOn(Schedulers.boundedElastic())
				.toFuture();
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	private static Optional<Lease> toLease(String shardId, List<String> values) {
		String counter = values.get(1);
		if (counter == null) {
			// deleted meanwhile
			return Optional.empty();
		}
		String owner = values.get(0);
		String expiresAt = values.get(2);
		String checkpoint = values.get(3);
		return Optional.of(new Lease(shardId, owner, Long.parseLong(counter),
				(expiresAt != null) ? Instant.ofEpochMilli(Long.parseLong(expiresAt)) : null,
				(checkpoint != null) ? Checkpoint.fromText(checkpoint) : null));
	}

	private static String millis(Instant instant) {
		return Long.toString(instant.toEpochMilli());
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	@Override
	public String toString() {
		return "RedisCheckpointer[" + this.keyBase + "*, worker " + workerId() + "]";
	}

	/**
	 * Builds a {@link RedisCheckpointer}. Not thread-safe.
	 */
	public static final class Builder {

		private final CheckpointerSettings settings;

		private final ReactiveRedisConnectionFactory connectionFactory;

		private String keyPrefix = DEFAULT_KEY_PREFIX;

		private Duration operationTimeout;

		private Builder(CheckpointerSettings settings, ReactiveRedisConnectionFactory connectionFactory) {
			this.settings = Objects.requireNonNull(settings, "settings");
			this.connectionFactory = Objects.requireNonNull(connectionFactory, "connectionFactory");
		}

		/**
		 * The first part of every key (default {@code kinesis}), to share a Redis
		 * database with other data.
		 * @param keyPrefix the prefix, without braces
		 * @return this builder
		 */
		public Builder keyPrefix(String keyPrefix) {
			Objects.requireNonNull(keyPrefix, "keyPrefix");
			if (keyPrefix.isEmpty() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
				throw new IllegalArgumentException(
						"keyPrefix must not be empty nor contain braces (they mark the hash tag), got '" + keyPrefix
								+ "'");
			}
			this.keyPrefix = keyPrefix;
			return this;
		}

		/**
		 * The longest one operation may take before its future fails (default 5 s, or
		 * half the lease duration when that is shorter). Keep it well below the lease
		 * duration, so a renewal that cannot get through is noticed in time.
		 * @param operationTimeout the time-out
		 * @return this builder
		 */
		public Builder operationTimeout(Duration operationTimeout) {
			Objects.requireNonNull(operationTimeout, "operationTimeout");
			if (operationTimeout.isNegative() || operationTimeout.isZero()) {
				throw new IllegalArgumentException("operationTimeout must be positive, got " + operationTimeout);
			}
			this.operationTimeout = operationTimeout;
			return this;
		}

		/**
		 * Builds the checkpointer. It connects on first use.
		 * @return the checkpointer
		 */
		public RedisCheckpointer build() {
			return new RedisCheckpointer(this);
		}

	}

}
