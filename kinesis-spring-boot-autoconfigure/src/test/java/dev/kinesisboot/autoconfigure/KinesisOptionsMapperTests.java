package dev.kinesisboot.autoconfigure;

import java.beans.PropertyDescriptor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.asynckinesis.AsyncKinesisCheckpoint;
import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;
import dev.kinesisboot.checkpoint.redis.RedisCheckpointer;
import dev.kinesisboot.consumer.CheckpointMode;
import dev.kinesisboot.consumer.ConsumerMode;
import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.listener.ListenerErrorHandler;
import dev.kinesisboot.producer.ProducerOptions;
import org.junit.jupiter.api.Test;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code kinesis.producer.*} and {@code kinesis.consumer.*} as a user writes them in
 * application.yml, bound and mapped to {@link ProducerOptions}, {@link ConsumerOptions}
 * and the listener error handler: every property reaches its option, and what is unset
 * keeps the library's default.
 */
class KinesisOptionsMapperTests {

	private static KinesisProperties bind(String... pairs) {
		MapConfigurationPropertySource source = new MapConfigurationPropertySource();
		for (int i = 0; i < pairs.length; i += 2) {
			source.put(pairs[i], pairs[i + 1]);
		}
		return new Binder(source).bindOrCreate("kinesis", KinesisProperties.class);
	}

	@Test
	void fanOutSettingsReachTheConsumerOptions() {
		ConsumerOptions options = KinesisOptionsMapper.consumerOptions(bind("kinesis.consumer.mode", "fan-out",
				"kinesis.consumer.fan-out.consumer-name", "billing-efo",
				"kinesis.consumer.fan-out.subscription-renewal", "4m", "kinesis.consumer.fan-out.subscription-timeout",
				"20s", "kinesis.consumer.fan-out.deregister-on-shutdown", "true",
				"kinesis.consumer.idle-poll-interval-max", "3s")
			.getConsumer());
		assertThat(options.mode()).isEqualTo(ConsumerMode.FAN_OUT);
		assertThat(options.fanOutConsumerName()).isEqualTo("billing-efo");
		assertThat(options.subscriptionRenewal()).isEqualTo(Duration.ofMinutes(4));
		assertThat(options.subscriptionTimeout()).isEqualTo(Duration.ofSeconds(20));
		assertThat(options.deregisterOnClose()).isTrue();
		assertThat(options.idlePollIntervalMax()).isEqualTo(Duration.ofSeconds(3));
	}

	@Test
	void defaultsArePollingWithoutDeregistration() {
		ConsumerOptions options = KinesisOptionsMapper.consumerOptions(bind().getConsumer());
		assertThat(options.mode()).isEqualTo(ConsumerMode.POLLING);
		assertThat(options.fanOutConsumerName()).isNull();
		assertThat(options.deregisterOnClose()).isFalse();
		assertThat(options.subscriptionRenewal()).isEqualTo(Duration.ofMinutes(5));
	}

	@Test
	void badFanOutSettingsNameThePropertyAndTheRule() {
		assertThatThrownBy(() -> KinesisOptionsMapper
			.consumerOptions(bind("kinesis.consumer.fan-out.consumer-name", "bad name!").getConsumer()))
			.isInstanceOf(InvalidKinesisPropertyException.class)
			.hasMessageContaining("kinesis.consumer.fan-out.consumer-name")
			.hasMessageContaining("1 to 128 characters");
		assertThatThrownBy(() -> KinesisOptionsMapper
			.consumerOptions(bind("kinesis.consumer.fan-out.subscription-renewal", "6m").getConsumer()))
			.isInstanceOf(InvalidKinesisPropertyException.class)
			.hasMessageContaining("kinesis.consumer.fan-out.subscription-renewal")
			.hasMessageContaining("at most 5 minutes");
	}

	/**
	 * Properties that configure Spring Boot's wiring (the client, beans, the checkpoint
	 * store, metrics and observations) rather than a library option object; the README
	 * lists them too. Each keeps the default its field gives, the library's constant
	 * where there is one.
	 */
	private static final Set<String> BOOT_ONLY = Set.of("kinesis.region", "kinesis.endpoint", "kinesis.max-concurrency",
			"kinesis.credentials.access-key", "kinesis.credentials.secret-key", "kinesis.producer.stream-name",
			"kinesis.producer.format", "kinesis.producer.observation-enabled", "kinesis.consumer.group",
			"kinesis.consumer.lease-duration", "kinesis.consumer.dead-letter-stream", "kinesis.consumer.create-stream",
			"kinesis.consumer.create-stream-shard-count", "kinesis.consumer.observation-enabled",
			"kinesis.checkpoint.store", "kinesis.checkpoint.redis.key-prefix", "kinesis.checkpoint.dynamodb.table-name",
			"kinesis.checkpoint.dynamodb.lease-buckets", "kinesis.checkpoint.dynamodb.create-table",
			"kinesis.checkpoint.dynamodb.endpoint", "kinesis.checkpoint.import-from", "kinesis.checkpoint.import-name",
			"kinesis.checkpoint.import-force", "kinesis.checkpoint.import-session-timeout",
			"kinesis.checkpoint.import-table", "kinesis.checkpoint.import-endpoint", "kinesis.metrics.enabled",
			"kinesis.metrics.namespace");

	/**
	 * Every other property, a value other than the default, and the option it must reach
	 * with that value ({@code producer.*} of {@link ProducerOptions}, {@code consumer.*}
	 * of {@link ConsumerOptions}, {@code listener.maxAttempts} of the default
	 * {@link ListenerErrorHandler}).
	 */
	private static final List<Mapping> MAPPINGS = List.of(
			mapping("kinesis.producer.buffer-time", "750ms", "producer.bufferTime", Duration.ofMillis(750)),
			mapping("kinesis.producer.max-queue-size", "20", "producer.maxQueueSize", 20),
			mapping("kinesis.producer.queue-full-timeout", "1s", "producer.queueFullTimeout", Duration.ofSeconds(1)),
			mapping("kinesis.producer.max-batch-records", "100", "producer.maxBatchRecords", 100),
			mapping("kinesis.producer.max-batch-size", "2MB", "producer.maxBatchBytes", 2L * 1024 * 1024),
			mapping("kinesis.producer.rate-limit-enabled", "false", "producer.rateLimitEnabled", false),
			mapping("kinesis.producer.records-per-second-per-shard", "50", "producer.recordsPerSecondPerShard", 50),
			mapping("kinesis.producer.bytes-per-second-per-shard", "2MB", "producer.bytesPerSecondPerShard",
					2L * 1024 * 1024),
			mapping("kinesis.producer.max-in-flight-batches", "2", "producer.maxInFlightBatches", 2),
			mapping("kinesis.producer.ordered-per-shard", "true", "producer.orderedPerShard", true),
			mapping("kinesis.producer.max-attempts", "3", "producer.maxAttempts", 3),
			mapping("kinesis.producer.record-ttl", "1m", "producer.recordTtl", Duration.ofMinutes(1)),
			mapping("kinesis.producer.retry-backoff", "200ms", "producer.retryBackoffBase", Duration.ofMillis(200)),
			mapping("kinesis.producer.retry-backoff-max", "10s", "producer.retryBackoffMax", Duration.ofSeconds(10)),
			mapping("kinesis.producer.close-timeout", "5s", "producer.closeTimeout", Duration.ofSeconds(5)),
			mapping("kinesis.producer.shard-refresh-interval", "10s", "producer.shardRefreshInterval",
					Duration.ofSeconds(10)),
			mapping("kinesis.producer.aggregation-enabled", "true", "producer.aggregationEnabled", true),
			mapping("kinesis.producer.aggregation-max-size", "64KB", "producer.aggregationMaxSize", 64 * 1024),
			mapping("kinesis.producer.create-stream", "true", "producer.createStream", true),
			mapping("kinesis.producer.create-stream-shard-count", "3", "producer.createStreamShardCount", 3),
			mapping("kinesis.consumer.start-position", "trim-horizon", "consumer.initialPosition",
					InitialPosition.TRIM_HORIZON),
			mapping("kinesis.consumer.start-timestamp", "2026-01-01T00:00:00Z", "consumer.startTimestamp",
					Instant.parse("2026-01-01T00:00:00Z"), "kinesis.consumer.start-position", "at-timestamp"),
			mapping("kinesis.consumer.mode", "fan-out", "consumer.mode", ConsumerMode.FAN_OUT),
			mapping("kinesis.consumer.fan-out.consumer-name", "billing-efo", "consumer.fanOutConsumerName",
					"billing-efo"),
			mapping("kinesis.consumer.fan-out.subscription-renewal", "4m", "consumer.subscriptionRenewal",
					Duration.ofMinutes(4)),
			mapping("kinesis.consumer.fan-out.subscription-timeout", "20s", "consumer.subscriptionTimeout",
					Duration.ofSeconds(20)),
			mapping("kinesis.consumer.fan-out.deregister-on-shutdown", "true", "consumer.deregisterOnClose", true),
			mapping("kinesis.consumer.poll-interval", "250ms", "consumer.pollInterval", Duration.ofMillis(250)),
			mapping("kinesis.consumer.idle-poll-interval-max", "5s", "consumer.idlePollIntervalMax",
					Duration.ofSeconds(5)),
			mapping("kinesis.consumer.max-records-per-call", "100", "consumer.maxRecordsPerCall", 100),
			mapping("kinesis.consumer.shard-refresh-interval", "10s", "consumer.shardRefreshInterval",
					Duration.ofSeconds(10)),
			mapping("kinesis.consumer.max-queue-size", "50", "consumer.maxQueueSize", 50),
			mapping("kinesis.consumer.handler-threads", "2", "consumer.handlerThreads", 2),
			mapping("kinesis.consumer.checkpoint-mode", "manual", "consumer.checkpointMode", CheckpointMode.MANUAL),
			mapping("kinesis.consumer.checkpoint-interval", "7s", "consumer.checkpointInterval", Duration.ofSeconds(7)),
			mapping("kinesis.consumer.max-attempts", "3", "listener.maxAttempts", 3),
			mapping("kinesis.consumer.retry-backoff", "100ms", "consumer.handlerRetryBackoffBase",
					Duration.ofMillis(100)),
			mapping("kinesis.consumer.retry-backoff-max", "1m", "consumer.handlerRetryBackoffMax",
					Duration.ofMinutes(1)),
			mapping("kinesis.consumer.shutdown-timeout", "5s", "consumer.shutdownTimeout", Duration.ofSeconds(5)));

	@Test
	void everyPropertyMapsToAnOptionOrIsListedAsBootOnly() {
		Set<String> mapped = new TreeSet<>();
		MAPPINGS.forEach((mapping) -> mapped.add(mapping.property()));
		assertThat(mapped).doesNotContainAnyElementsOf(BOOT_ONLY);
		Set<String> classified = new TreeSet<>(mapped);
		classified.addAll(BOOT_ONLY);
		assertThat(propertyNames("kinesis", KinesisProperties.class)).containsExactlyInAnyOrderElementsOf(classified);
	}

	@Test
	void eachMappedPropertyReachesItsOptionAndChangesNothingElse() {
		Map<String, Object> defaults = options(bind());
		for (Mapping mapping : MAPPINGS) {
			List<String> pairs = new ArrayList<>(mapping.companions());
			pairs.add(mapping.property());
			pairs.add(mapping.value());
			Map<String, Object> options = options(bind(pairs.toArray(String[]::new)));
			assertThat(options).as(mapping.property()).containsEntry(mapping.option(), mapping.expected());
			if (mapping.companions().isEmpty()) {
				Map<String, Object> changed = new TreeMap<>(options);
				changed.entrySet().removeIf((entry) -> Objects.equals(entry.getValue(), defaults.get(entry.getKey())));
				assertThat(changed).as(mapping.property()).containsOnlyKeys(mapping.option());
			}
		}
	}

	@Test
	void anEmptyConfigurationGivesExactlyTheLibraryDefaults() {
		KinesisProperties properties = bind();
		assertThat(describe(KinesisOptionsMapper.producerOptions(properties.getProducer())))
			.isEqualTo(describe(ProducerOptions.defaults()));
		assertThat(describe(KinesisOptionsMapper.consumerOptions(properties.getConsumer())))
			.isEqualTo(describe(ConsumerOptions.defaults()));
		assertThat(KinesisOptionsMapper.maxAttempts(properties.getConsumer()))
			.isEqualTo(ListenerErrorHandler.DEFAULT_MAX_ATTEMPTS)
			.isEqualTo(new ListenerErrorHandler().getMaxAttempts());
		// the Boot-only properties that have a library default take it
		assertThat(properties.getConsumer().getLeaseDuration()).isEqualTo(CheckpointerSettings.DEFAULT_LEASE_DURATION);
		assertThat(properties.getCheckpoint().getRedis().getKeyPrefix())
			.isEqualTo(RedisCheckpointer.DEFAULT_KEY_PREFIX);
		assertThat(properties.getCheckpoint().getDynamodb().getTableName())
			.isEqualTo(DynamoDbCheckpointer.DEFAULT_TABLE_NAME);
		assertThat(properties.getCheckpoint().getImportSessionTimeout())
			.isEqualTo(AsyncKinesisCheckpoint.DEFAULT_SESSION_TIMEOUT);
	}

	@Test
	void aRetryBackoffSetAloneKeepsTheOtherEndsDefaultAndARefusalNamesTheProperty() {
		ProducerOptions producer = KinesisOptionsMapper
			.producerOptions(bind("kinesis.producer.retry-backoff-max", "1s").getProducer());
		assertThat(producer.retryBackoffBase()).isEqualTo(ProducerOptions.defaults().retryBackoffBase());
		assertThatThrownBy(
				() -> KinesisOptionsMapper.consumerOptions(bind("kinesis.consumer.retry-backoff", "1m").getConsumer()))
			.isInstanceOf(InvalidKinesisPropertyException.class)
			.hasMessageContaining("kinesis.consumer.retry-backoff");
		assertThatThrownBy(
				() -> KinesisOptionsMapper.consumerOptions(bind("kinesis.consumer.max-attempts", "-1").getConsumer()))
			.isInstanceOf(InvalidKinesisPropertyException.class)
			.hasMessageContaining("kinesis.consumer.max-attempts");
	}

	/**
	 * What the properties configure: every value of both option objects and the error
	 * handler's attempts, by name.
	 */
	private static Map<String, Object> options(KinesisProperties properties) {
		Map<String, Object> options = new TreeMap<>();
		describe(KinesisOptionsMapper.producerOptions(properties.getProducer()))
			.forEach((name, value) -> options.put("producer." + name, value));
		describe(KinesisOptionsMapper.consumerOptions(properties.getConsumer()))
			.forEach((name, value) -> options.put("consumer." + name, value));
		options.put("listener.maxAttempts", KinesisOptionsMapper.maxAttempts(properties.getConsumer()));
		return options;
	}

	/**
	 * The values of an option object's accessors, by name.
	 */
	private static Map<String, Object> describe(Object options) {
		Map<String, Object> values = new TreeMap<>();
		for (Method method : options.getClass().getDeclaredMethods()) {
			if (Modifier.isPublic(method.getModifiers()) && !Modifier.isStatic(method.getModifiers())
					&& method.getParameterCount() == 0 && !method.getName().equals("toBuilder")) {
				values.put(method.getName(), ReflectionUtils.invokeMethod(method, options));
			}
		}
		assertThat(values).isNotEmpty();
		return values;
	}

	/**
	 * The names of every settable property under a prefix, as a user writes them.
	 */
	private static Set<String> propertyNames(String prefix, Class<?> type) {
		Set<String> names = new TreeSet<>();
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
			if (descriptor.getReadMethod() == null || descriptor.getName().equals("class")) {
				continue;
			}
			String name = prefix + "." + kebab(descriptor.getName());
			Class<?> propertyType = descriptor.getPropertyType();
			if (propertyType.getName().startsWith(KinesisProperties.class.getName() + "$") && !propertyType.isEnum()) {
				names.addAll(propertyNames(name, propertyType));
			}
			else {
				assertThat(descriptor.getWriteMethod()).as(name + " has a setter").isNotNull();
				names.add(name);
			}
		}
		return names;
	}

	private static String kebab(String name) {
		return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
	}

	private static Mapping mapping(String property, String value, String option, Object expected,
			String... companions) {
		return new Mapping(property, value, option, expected, List.of(companions));
	}

	private record Mapping(String property, String value, String option, Object expected, List<String> companions) {
	}

}
