package dev.kinesisboot.consumer;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;
import dev.kinesisboot.checkpoint.redis.RedisCheckpointer;
import dev.kinesisboot.checkpoint.redis.RedisServerProcess;
import dev.kinesisboot.consumer.LeaseLoadModel.Size;
import dev.kinesisboot.consumer.RealStoreLoadCheck.Result;
import dev.kinesisboot.testsupport.LocalDynamoDb;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalRedis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link LeaseLoadModel} checked against real servers ({@link RealStoreLoadCheck}):
 * real consumers of several workers in one JVM, in real time, on DynamoDB (dynalite) and
 * on Redis, each store call counted by the model's {@link MeteredCheckpointer} and by the
 * server itself (DynamoDB's {@code ConsumedCapacity}, Redis's {@code INFO commandstats}),
 * next to the virtual-clock model of the same size. The full check (1,000 shards, 10
 * workers, a 60 s window per store; about 4 minutes) runs on demand:
 * {@code ./mvnw -o -B -pl kinesis-spring-boot-autoconfigure verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=RealStoreLoadCheckIntegrationTests -Dloadcheck.run=true}
 * ({@code -Dloadcheck.size=1000x10}, {@code -Dloadcheck.window=PT60S} change the size and
 * the window). A small case (100 shards, 3 workers, a short lease) runs in every build.
 * <p>
 * Redis runs on a redis-server of the test's own (the binary of the local servers), so
 * that its command statistics hold only this test's commands.
 */
@RequiresLocalServers({ LocalServer.DYNAMODB, LocalServer.REDIS })
class RealStoreLoadCheckIntegrationTests {

	/** Model and real run: rates within this share of the larger. */
	static final double MODEL_TOLERANCE = 0.15;

	/** Metered and server figures of one run: rates within this share of the larger. */
	static final double SERVER_TOLERANCE = 0.05;

	/** Below this difference (per second) rates count as equal, whatever the share. */
	static final double ABSOLUTE_FLOOR = 0.5;

	private static final List<String> MODEL_ROWS = List.of(RealStoreLoadCheck.LEASE_QUERIES,
			RealStoreLoadCheck.BEAT_QUERIES, RealStoreLoadCheck.GET_ITEMS, RealStoreLoadCheck.TAKES,
			RealStoreLoadCheck.RENEWALS, RealStoreLoadCheck.CHECKPOINTS, RealStoreLoadCheck.RELEASES,
			RealStoreLoadCheck.BEATS, RealStoreLoadCheck.REFUSED, RealStoreLoadCheck.ITEMS_READ,
			RealStoreLoadCheck.ITEMS_WRITTEN, RealStoreLoadCheck.RCU, RealStoreLoadCheck.WCU,
			RealStoreLoadCheck.HOT_RCU, RealStoreLoadCheck.HOT_WCU, RealStoreLoadCheck.REDIS_COMMANDS);

	@Test
	@EnabledIfSystemProperty(named = "loadcheck.run", matches = "true")
	void thousandLeasesOnTenWorkersCostDynamoDbAndRedisWhatTheModelSays(LocalDynamoDb dynamoDb, LocalRedis redis)
			throws Exception {
		Size size = parseSize(System.getProperty("loadcheck.size", "1000x10"));
		LeaseLoadModel.Settings settings = new LeaseLoadModel.Settings();
		settings.steadyWindow = Duration.parse(System.getProperty("loadcheck.window", "PT60S"));
		settings.settleLimit = Duration.ofSeconds(150);
		long started = System.nanoTime();
		Instant date = Instant.now();

		LeaseLoadModel.Settings modelSettings = new LeaseLoadModel.Settings();
		modelSettings.steadyWindow = settings.steadyWindow;
		long modelStart = System.nanoTime();
		LeaseLoadModel.Phase model = withLibraryLogging(Level.OFF, () -> new LeaseLoadModel(modelSettings).run(size))
			.get(0);
		double modelSeconds = (System.nanoTime() - modelStart) / 1e9;

		Warnings dynamoDbWarnings = new Warnings();
		Result onDynamoDb = dynamoDbWarnings
			.during(() -> onDynamoDb(dynamoDb, new RealStoreLoadCheck(settings, dynamoDbWarnings::mark), size));
		Warnings redisWarnings = new Warnings();
		RedisRun onRedis = redisWarnings
			.during(() -> onRedis(redis, new RealStoreLoadCheck(settings, redisWarnings::mark), size));

		// the model again, with the round trip dynalite showed during the window instead
		// of 5 ms: a lease cycle waits for its store calls, so its cadence follows the
		// store's latency
		double dynamoDbLatencyMillis = onDynamoDb.server().getOrDefault("latency ms", 0.0)
				/ onDynamoDb.server().getOrDefault("answers", 1.0);
		LeaseLoadModel.Settings slowStore = new LeaseLoadModel.Settings();
		slowStore.steadyWindow = settings.steadyWindow;
		slowStore.storeLatencyMax = Duration.ofMillis(Math.max(1, Math.round(dynamoDbLatencyMillis)));
		LeaseLoadModel.Phase modelAtDynamoDbLatency = withLibraryLogging(Level.OFF,
				() -> new LeaseLoadModel(slowStore).run(size))
			.get(0);
		double totalSeconds = (System.nanoTime() - started) / 1e9;

		Map<String, Double> modelRates = RealStoreLoadCheck.meteredRates(model.traffic());
		Map<String, Double> slowModelRates = RealStoreLoadCheck.meteredRates(modelAtDynamoDbLatency.traffic());
		Map<String, Double> dynamoDbMetered = RealStoreLoadCheck.meteredRates(onDynamoDb.metered());
		Map<String, Double> dynamoDbServer = RealStoreLoadCheck.dynamoDbRates(onDynamoDb.server(),
				onDynamoDb.serverSeconds());
		Map<String, Double> redisMetered = RealStoreLoadCheck.meteredRates(onRedis.result().metered());
		Map<String, Double> redisServer = RealStoreLoadCheck.redisRates(onRedis.result().server(),
				onRedis.result().serverSeconds());

		StringBuilder report = new StringBuilder();
		report.append(
				String.format("Real-store check, %s shards x %d workers, %s%n", size.shards(), size.workers(), date));
		report.append(String.format("Machine: %d cores, load average %.1f at the end, %s %s, Java %s %s%n",
				Runtime.getRuntime().availableProcessors(),
				ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), System.getProperty("os.name"),
				System.getProperty("os.version"), System.getProperty("java.vendor"),
				System.getProperty("java.version")));
		report.append(String.format(
				"Model (virtual clock, store round trip 5 ms): %s, %s shards/worker, window %.0f s, "
						+ "run %.1f s of wall time%n",
				evenAfter(model), model.spread(), model.traffic().seconds(), modelSeconds));
		report.append(String.format(
				"Model (virtual clock, store round trip %d ms as dynalite's): %s, %s shards/worker "
						+ "at the window's end%n",
				slowStore.storeLatencyMax.toMillis(), evenAfter(modelAtDynamoDbLatency),
				modelAtDynamoDbLatency.spread()));
		report.append(describe("DynamoDB (dynalite " + dynamoDb.endpoint() + ", one SDK client for all workers)",
				onDynamoDb));
		report.append(String.format(
				"  dynalite round trip during the window: %.1f ms on average (renew %.1f ms, "
						+ "checkpoint %.1f ms, heartbeat write %.1f ms)%n",
				dynamoDbLatencyMillis, meanMillis(onDynamoDb.server(), "UpdateItem renew"),
				meanMillis(onDynamoDb.server(), "UpdateItem checkpoint"),
				meanMillis(onDynamoDb.server(), "UpdateItem beat")));
		report.append(
				describe("Redis (" + onRedis.server() + ", one connection factory for all workers)", onRedis.result()));
		report.append(String.format("Whole test: %.0f s of wall time%n%n", totalSeconds));
		report.append(table(
				List.of("model, 5 ms store", "model, " + slowStore.storeLatencyMax.toMillis() + " ms store",
						"DynamoDB run, metered", "dynalite says", "Redis run, metered", "redis-server says"),
				List.of(modelRates, slowModelRates, dynamoDbMetered, dynamoDbServer, redisMetered, redisServer)));
		report.append(String.format("%nDynamoDB server counts of the window: %s%n", nonZero(onDynamoDb.server())));
		report
			.append(String.format("Redis command statistics of the window: %s%n", nonZero(onRedis.result().server())));
		report.append(String.format("Library warnings, DynamoDB run: %s%n", dynamoDbWarnings.summary()));
		report.append(String.format("Library warnings, Redis run: %s%n", redisWarnings.summary()));

		List<String> misses = new ArrayList<>();
		compare("model (5 ms) vs Redis metered", modelRates, redisMetered, MODEL_ROWS, MODEL_TOLERANCE, misses);
		compare("model (dynalite's latency) vs DynamoDB metered", slowModelRates, dynamoDbMetered, MODEL_ROWS,
				MODEL_TOLERANCE, misses);
		compare("DynamoDB metered vs dynalite", dynamoDbMetered, dynamoDbServer, List.copyOf(dynamoDbServer.keySet()),
				SERVER_TOLERANCE, misses);
		compare("Redis metered vs redis-server", redisMetered, redisServer, List.copyOf(redisServer.keySet()),
				SERVER_TOLERANCE, misses);
		List<String> fastModelOnDynamoDb = new ArrayList<>();
		compare("model (5 ms) vs DynamoDB metered", modelRates, dynamoDbMetered, MODEL_ROWS, MODEL_TOLERANCE,
				fastModelOnDynamoDb);
		report.append(String.format(
				"%nTolerance: model vs real run within %.0f %%, metered vs server within %.0f %% "
						+ "(of the larger rate, or %.1f/s apart at most), the model given the store's round trip: %s%n",
				MODEL_TOLERANCE * 100, SERVER_TOLERANCE * 100, ABSOLUTE_FLOOR,
				misses.isEmpty() ? "held" : "missed: " + misses));
		report.append(String.format("Not asserted: the model with its 5 ms store vs the dynalite run: %s%n",
				fastModelOnDynamoDb.isEmpty() ? "within tolerance" : "missed: " + fastModelOnDynamoDb));
		System.out.println(report);

		assertThat(model.settled()).isTrue();
		for (Result run : List.of(onDynamoDb, onRedis.result())) {
			assertThat(run.settled()).as("settled").isTrue();
			assertThat(run.stayedEven()).as("even during the window").isTrue();
		}
		assertThat(misses).isEmpty();
	}

	@Test
	void hundredShardsOnThreeWorkersCostWhatTheMeteredCheckpointersCount(LocalDynamoDb dynamoDb, LocalRedis redis)
			throws Exception {
		Size size = new Size(100, 3);
		LeaseLoadModel.Settings settings = new LeaseLoadModel.Settings();
		// a short lease: a cycle every 1.3 s, settled within seconds (on a busy machine
		// it may not settle: the counts are compared all the same)
		settings.leaseDuration = Duration.ofSeconds(4);
		settings.startSpread = Duration.ofSeconds(1);
		settings.steadyWindow = Duration.ofSeconds(6);
		settings.settleLimit = Duration.ofSeconds(30);
		Result onDynamoDb = withLibraryLogging(Level.WARN,
				() -> onDynamoDb(dynamoDb, new RealStoreLoadCheck(settings, () -> {
				}), size));
		Result onRedis = withLibraryLogging(Level.WARN, () -> onRedis(redis, new RealStoreLoadCheck(settings, () -> {
		}), size)).result();
		Map<String, Double> dynamoDbMetered = RealStoreLoadCheck.meteredRates(onDynamoDb.metered());
		Map<String, Double> dynamoDbServer = RealStoreLoadCheck.dynamoDbRates(onDynamoDb.server(),
				onDynamoDb.serverSeconds());
		Map<String, Double> redisMetered = RealStoreLoadCheck.meteredRates(onRedis.metered());
		Map<String, Double> redisServer = RealStoreLoadCheck.redisRates(onRedis.server(), onRedis.serverSeconds());

		// each worker renews its leases and writes one heartbeat per cycle, however long
		// the store makes the cycle
		for (Map<String, Double> rates : List.of(dynamoDbServer, redisServer)) {
			assertThat(rates.get(RealStoreLoadCheck.BEATS)).isPositive();
			assertThat(rates.get(RealStoreLoadCheck.RENEWALS) / rates.get(RealStoreLoadCheck.BEATS))
				.isBetween(0.5 * 100 / 3, 1.2 * 100 / 3);
		}
		// what the metered checkpointers count is what the servers saw, loosely (a short
		// window); Redis: the commands the checkpointer sends (a script's own commands
		// tell its kind only while nothing moves)
		List<String> misses = new ArrayList<>();
		compare("DynamoDB metered vs dynalite", dynamoDbMetered, dynamoDbServer, List.copyOf(dynamoDbServer.keySet()),
				0.1, misses);
		compare("Redis metered vs redis-server", redisMetered, redisServer, List.of(RealStoreLoadCheck.REDIS_SCRIPTS,
				RealStoreLoadCheck.REDIS_SMEMBERS, RealStoreLoadCheck.REDIS_HMGET), 0.1, misses);
		assertThat(misses).isEmpty();
	}

	private static Result onDynamoDb(LocalDynamoDb dynamoDb, RealStoreLoadCheck check, Size size) {
		DynamoDbCapacityMeter meter = new DynamoDbCapacityMeter();
		String table = TestNames.unique("loadcheck");
		// one client for the workers of this process, as the auto-configuration gives
		// them
		// (at most 50 connections: the SDK's default)
		try (DynamoDbAsyncClient client = DynamoDbAsyncClient.builder()
			.endpointOverride(dynamoDb.endpoint())
			.region(LocalKinesis.REGION)
			.credentialsProvider(LocalKinesis.CREDENTIALS)
			.overrideConfiguration((config) -> config.addExecutionInterceptor(meter))
			.build()) {
			try {
				RealStoreLoadCheck.Store store = new RealStoreLoadCheck.Store() {

					@Override
					public DynamoDbCheckpointer checkpointer(CheckpointerSettings checkpointerSettings) {
						return DynamoDbCheckpointer.builder(checkpointerSettings, client)
							.tableName(table)
							.createTableIfMissing(true)
							.build();
					}

					@Override
					public Map<String, Double> serverCounts() {
						return meter.snapshot();
					}

				};
				// the table first, so the workers' starts do not race to create it
				DynamoDbCheckpointer
					.builder(CheckpointerSettings.of(LeaseLoadModel.APPLICATION, LeaseLoadModel.STREAM), client)
					.tableName(table)
					.createTableIfMissing(true)
					.build()
					.ensureTable()
					.join();
				return check.run(size, store);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			finally {
				client.deleteTable((request) -> request.tableName(table)).exceptionally((error) -> null).join();
			}
		}
	}

	record RedisRun(String server, Result result) {
	}

	private static RedisRun onRedis(LocalRedis shared, RealStoreLoadCheck check, Size size) {
		RedisServerProcess own = null;
		try {
			if (RedisServerProcess.binary().isPresent()) {
				own = RedisServerProcess.start(RedisServerProcess.binary().get());
			}
			String host = (own != null) ? "127.0.0.1" : shared.host();
			int port = (own != null) ? own.port() : shared.port();
			String server = "redis-server " + host + ":" + port
					+ ((own != null) ? ", the test's own" : ", shared: its statistics include other clients' commands");
			LettuceConnectionFactory factory = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration(host, port));
			factory.afterPropertiesSet();
			factory.start();
			try {
				String prefix = TestNames.unique("loadcheck");
				RealStoreLoadCheck.Store store = new RealStoreLoadCheck.Store() {

					@Override
					public RedisCheckpointer checkpointer(CheckpointerSettings checkpointerSettings) {
						return RedisCheckpointer.builder(checkpointerSettings, factory).keyPrefix(prefix).build();
					}

					@Override
					public Map<String, Double> serverCounts() {
						return commandStatistics(factory);
					}

				};
				return new RedisRun(server, check.run(size, store));
			}
			finally {
				factory.destroy();
			}
		}
		catch (Exception ex) {
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			throw new IllegalStateException(ex);
		}
		finally {
			if (own != null) {
				try {
					own.close();
				}
				catch (Exception ex) {
					// a temporary directory left behind
				}
			}
		}
	}

	/**
	 * The calls per command that {@code INFO commandstats} reports, commands that scripts
	 * ran included; {@code name failed} for failed calls.
	 */
	private static Map<String, Double> commandStatistics(LettuceConnectionFactory factory) {
		Map<String, Double> counts = new TreeMap<>();
		try (RedisConnection connection = factory.getConnection()) {
			Properties info = connection.serverCommands().info("commandstats");
			for (String name : info.stringPropertyNames()) {
				if (!name.startsWith("cmdstat_")) {
					continue;
				}
				String command = name.substring("cmdstat_".length());
				for (String field : info.getProperty(name).split(",")) {
					String[] pair = field.split("=");
					if (pair[0].equals("calls")) {
						counts.put(command, Double.parseDouble(pair[1]));
					}
					else if (pair[0].equals("failed_calls") && !pair[1].equals("0")) {
						counts.put(command + " failed", Double.parseDouble(pair[1]));
					}
				}
			}
		}
		return counts;
	}

	private static String evenAfter(LeaseLoadModel.Phase phase) {
		return phase.settled() ? String.format("even after %.0f s", phase.evenAfterNanos() / 1e9)
				: String.format("NOT even within %.0f s", phase.settleLimitNanos() / 1e9);
	}

	private static String describe(String store, Result run) {
		return String.format(
				"%s: %s, %s shards/worker at the window's end, %s during the window; window %.1f s "
						+ "metered, %.1f s between the server's readings%n",
				store, run.settled() ? String.format("even after %.0f s", run.evenAfterNanos() / 1e9) : "NOT settled",
				run.spread(), run.stayedEven() ? "even at every check" : "NOT even at every check",
				run.metered().seconds(), run.serverSeconds());
	}

	private static String table(List<String> names, List<Map<String, Double>> columns) {
		StringBuilder table = new StringBuilder();
		table.append("| per second | ").append(String.join(" | ", names)).append(" |\n");
		table.append("| --- |").append(" ---: |".repeat(names.size())).append("\n");
		for (String row : RealStoreLoadCheck.ROWS) {
			table.append("| ").append(row.replace("/s", "")).append(" | ");
			List<String> cells = new ArrayList<>();
			for (Map<String, Double> column : columns) {
				Double rate = column.get(row);
				cells.add((rate != null) ? rate(rate) : "–");
			}
			table.append(String.join(" | ", cells)).append(" |\n");
		}
		return table.toString();
	}

	private static double meanMillis(Map<String, Double> counts, String kind) {
		double calls = counts.getOrDefault(kind, 0.0);
		return (calls > 0) ? counts.getOrDefault("latency ms " + kind, 0.0) / calls : 0;
	}

	private static Map<String, Object> nonZero(Map<String, Double> counts) {
		Map<String, Object> shown = new TreeMap<>();
		counts.forEach((name, count) -> {
			if (count != 0) {
				shown.put(name, (count == Math.rint(count)) ? (Object) count.longValue() : count);
			}
		});
		return shown;
	}

	private static String rate(double perSecond) {
		if (Math.abs(perSecond) < 0.005) {
			return "0";
		}
		return (Math.abs(perSecond) < 100) ? String.format("%.2f", perSecond) : String.format("%,.1f", perSecond);
	}

	private static void compare(String what, Map<String, Double> expected, Map<String, Double> actual,
			List<String> rows, double tolerance, List<String> misses) {
		for (String row : rows) {
			double a = expected.getOrDefault(row, 0.0);
			double b = actual.getOrDefault(row, 0.0);
			double difference = Math.abs(a - b);
			if (difference > ABSOLUTE_FLOOR && difference > tolerance * Math.max(Math.abs(a), Math.abs(b))) {
				misses.add(String.format("%s: %s %s vs %s", what, row, rate(a), rate(b)));
			}
		}
	}

	private static Size parseSize(String size) {
		String[] parts = size.trim().split("x");
		return new Size(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
	}

	private static <T> T withLibraryLogging(Level level, Supplier<T> run) {
		Logger library = (Logger) LoggerFactory.getLogger("dev.kinesisboot");
		Level before = library.getLevel();
		library.setLevel(level);
		try {
			return run.get();
		}
		finally {
			library.setLevel(before);
		}
	}

	/**
	 * Counts the library's warnings and errors during a run (its info lines about every
	 * lease move are switched off), by logger and message pattern.
	 */
	private static final class Warnings extends AppenderBase<ILoggingEvent> {

		private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

		private volatile boolean window;

		<T> T during(Supplier<T> run) {
			Logger library = (Logger) LoggerFactory.getLogger("dev.kinesisboot");
			setContext(library.getLoggerContext());
			start();
			library.addAppender(this);
			try {
				return withLibraryLogging(Level.WARN, run);
			}
			finally {
				library.detachAppender(this);
				stop();
			}
		}

		/** Warnings from here on are told apart: the steady window starts. */
		void mark() {
			this.window = true;
		}

		@Override
		protected void append(ILoggingEvent event) {
			if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
				String logger = event.getLoggerName().substring(event.getLoggerName().lastIndexOf('.') + 1);
				String phase = this.window ? "during the window, " : "before the window, ";
				this.counts.computeIfAbsent(phase + logger + ": " + event.getMessage(), (key) -> new AtomicLong())
					.incrementAndGet();
			}
		}

		String summary() {
			if (this.counts.isEmpty()) {
				return "none";
			}
			Map<String, Long> sorted = new TreeMap<>();
			this.counts.forEach((message, count) -> sorted.put(message, count.get()));
			return sorted.toString();
		}

	}

}
