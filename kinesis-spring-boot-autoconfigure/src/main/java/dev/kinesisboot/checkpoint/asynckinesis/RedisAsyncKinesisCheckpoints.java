package dev.kinesisboot.checkpoint.asynckinesis;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The checkpoints of async-kinesis's {@code RedisCheckPointer}: one string key per shard,
 * {@code pyredis-<name>-<shardId>}, holding JSON such as {@code {"ref":
 * "orders-app/4120", "ts": 1796163644, "sequence": "4968..."}} ({@code ref} and
 * {@code ts} are {@code null} once released, {@code sequence} before the first
 * checkpoint). The keys carry no stream name: a name read one stream. Read with SCAN and
 * GET. Thread-safe.
 */
public final class RedisAsyncKinesisCheckpoints implements AsyncKinesisCheckpointSource {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	/** What follows the prefix: a shard id, and nothing else. */
	private static final Pattern SHARD_ID = Pattern.compile("shardId-[0-9]+");

	private final ReactiveStringRedisTemplate redis;

	private final String name;

	/**
	 * A source.
	 * @param connectionFactory the Redis async-kinesis used
	 * @param name the async-kinesis checkpointer's name
	 * ({@code RedisCheckPointer(name=...)})
	 */
	public RedisAsyncKinesisCheckpoints(ReactiveRedisConnectionFactory connectionFactory, String name) {
		this.redis = new ReactiveStringRedisTemplate(Objects.requireNonNull(connectionFactory, "connectionFactory"));
		this.name = Objects.requireNonNull(name, "name");
	}

	@Override
	public CompletableFuture<List<AsyncKinesisCheckpoint>> read() {
		ScanOptions options = ScanOptions.scanOptions().match(globEscaped(prefix(this.name)) + "*").count(500).build();
		return this.redis.scan(options)
			.filter((key) -> parseShardId(this.name, key).isPresent())
			.concatMap((key) -> this.redis.opsForValue()
				.get(key)
				.flatMap((value) -> Mono.justOrEmpty(parse(this.name, key, value))))
			.sort((a, b) -> a.shardId().compareTo(b.shardId()))
			.collectList()
			.toFuture();
	}

	@Override
	public String describe() {
		return "Redis keys " + prefix(this.name) + "<shardId>";
	}

	/**
	 * Reads one key and its value.
	 * @param name the async-kinesis checkpointer's name
	 * @param key the key
	 * @param value its JSON value
	 * @return the checkpoint, or empty when the key is not one of that name's shards
	 * @throws IllegalArgumentException when the value is not async-kinesis's JSON
	 */
	public static Optional<AsyncKinesisCheckpoint> parse(String name, String key, String value) {
		Optional<String> shardId = parseShardId(name, key);
		if (shardId.isEmpty()) {
			return Optional.empty();
		}
		JsonNode json;
		try {
			json = MAPPER.readTree(value);
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException(
					"Redis key " + key + " does not hold async-kinesis checkpoint JSON: " + ex.getMessage(), ex);
		}
		if (json == null || !json.isObject() || !json.has("sequence")) {
			throw new IllegalArgumentException("Redis key " + key
					+ " does not hold async-kinesis checkpoint JSON ({\"ref\", \"ts\", \"sequence\"}): " + value);
		}
		return Optional.of(new AsyncKinesisCheckpoint(shardId.get(), text(json.get("sequence")), text(json.get("ref")),
				seconds(json.get("ts"))));
	}

	private static Optional<String> parseShardId(String name, String key) {
		String prefix = prefix(name);
		if (!key.startsWith(prefix)) {
			return Optional.empty();
		}
		String shardId = key.substring(prefix.length());
		return SHARD_ID.matcher(shardId).matches() ? Optional.of(shardId) : Optional.empty();
	}

	private static String prefix(String name) {
		return "pyredis-" + name + "-";
	}

	private static String globEscaped(String text) {
		return text.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
	}

	static String text(JsonNode node) {
		return (node == null || node.isNull()) ? null : node.asString();
	}

	static Instant seconds(JsonNode node) {
		return (node == null || node.isNull()) ? null : Instant.ofEpochSecond(node.asLong());
	}

}
