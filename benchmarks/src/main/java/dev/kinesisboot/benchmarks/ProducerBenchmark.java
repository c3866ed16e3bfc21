package dev.kinesisboot.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kinesisboot.benchmarks.MarkdownReport.ResultKey;

import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Measures how many records per second {@code KinesisProducer} puts into a local Kinesis
 * emulator, and how much client CPU time each record costs, with the no-op and the
 * Micrometer metrics collector, next to a plain AWS SDK v2 loop of PutRecords calls with
 * the same number of calls in flight, Spring Cloud AWS's {@code KinesisMessageHandler}
 * and the Amazon KPL.
 * <p>
 * Each run creates a fresh stream, puts the records as fast as the endpoint takes them,
 * waits until every record is acknowledged, and deletes the stream. The results go to
 * standard output as a Markdown table, progress to standard error. The exit status is 1
 * when any record was not accepted. Run it with
 * {@code scripts/run-producer-benchmark.sh}, or see {@code --help}.
 */
public final class ProducerBenchmark {

	private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);

	private final BenchmarkSettings settings;

	private ProducerBenchmark(BenchmarkSettings settings) {
		this.settings = settings;
	}

	/**
	 * Runs the benchmark.
	 * @param args the options, see {@code --help}
	 */
	public static void main(String[] args) {
		if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
			System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
		}
		// the KPL daemon logs its failed EC2 metadata look-ups as warnings on every start
		String kplDaemonLog = "org.slf4j.simpleLogger.log.software.amazon.kinesis.producer.LogInputStreamReader";
		if (System.getProperty(kplDaemonLog) == null) {
			System.setProperty(kplDaemonLog, "error");
		}
		BenchmarkSettings settings;
		try {
			settings = BenchmarkSettings.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.err.println();
			System.err.print(BenchmarkSettings.usage());
			System.exit(2);
			return;
		}
		if (settings == null) {
			System.out.print(BenchmarkSettings.usage());
			return;
		}
		System.exit(new ProducerBenchmark(settings).run());
	}

	private int run() {
		Map<ResultKey, List<RunResult>> results = new LinkedHashMap<>();
		long failures = 0;
		PutRecordsCounter calls = new PutRecordsCounter();
		try (KinesisAsyncClient client = newClient(calls)) {
			BenchmarkStreams streams = new BenchmarkStreams(client);
			ScenarioRunner runner = new ScenarioRunner(client, this.settings, calls);
			// on Ctrl-C, delete the stream of the run that was interrupted
			Thread cleanup = new Thread(streams::deleteAll, "benchmark-stream-cleanup");
			Runtime.getRuntime().addShutdownHook(cleanup);
			try {
				for (int shards : this.settings.shardCounts()) {
					for (int size : this.settings.recordSizes()) {
						for (int warmup = 1; warmup <= this.settings.warmupRuns(); warmup++) {
							for (Scenario scenario : this.settings.scenarios()) {
								String run = "warm-up " + warmup + "/" + this.settings.warmupRuns();
								failures += runOnce(streams, runner, new ResultKey(scenario, size, shards), run)
									.failures();
							}
						}
						for (int i = 1; i <= this.settings.runs(); i++) {
							for (Scenario scenario : rotated(this.settings.scenarios(), i - 1)) {
								ResultKey key = new ResultKey(scenario, size, shards);
								RunResult result = runOnce(streams, runner, key,
										"run " + i + "/" + this.settings.runs());
								failures += result.failures();
								results.computeIfAbsent(key, (k) -> new ArrayList<>()).add(result);
							}
						}
					}
				}
			}
			finally {
				streams.deleteAll();
				Runtime.getRuntime().removeShutdownHook(cleanup);
			}
		}
		List<ResultKey> order = new ArrayList<>();
		for (int shards : this.settings.shardCounts()) {
			for (int size : this.settings.recordSizes()) {
				for (Scenario scenario : this.settings.scenarios()) {
					order.add(new ResultKey(scenario, size, shards));
				}
			}
		}
		Map<ResultKey, List<RunResult>> table = new LinkedHashMap<>();
		order.forEach((key) -> table.put(key, results.get(key)));
		System.out.println(new MarkdownReport(this.settings).render(table));
		if (failures > 0) {
			System.err.println("[benchmark] " + failures + " record(s) were not accepted; the figures are not valid");
			return 1;
		}
		return 0;
	}

	/**
	 * The scenarios in an order that starts one further on each run, so that no scenario
	 * always runs right after the same other one.
	 */
	private static List<Scenario> rotated(List<Scenario> scenarios, int by) {
		List<Scenario> order = new ArrayList<>(scenarios);
		Collections.rotate(order, -(by % order.size()));
		return order;
	}

	private RunResult runOnce(BenchmarkStreams streams, ScenarioRunner runner, ResultKey key, String run) {
		String stream = BenchmarkStreams.uniqueName(key.scenario(), key.recordSize());
		streams.create(stream, key.shards());
		RunResult result;
		try {
			result = runner.run(key.scenario(), stream, key.recordSize());
		}
		finally {
			streams.delete(stream);
		}
		System.err.printf(Locale.ROOT,
				"[benchmark] %s, %s, %d shard(s), %s: %,d records in %.2f s = %,.0f records/s, CPU %.1f µs/record "
						+ "(%s), %s, %d failed%s%n",
				key.scenario().id(), MarkdownReport.sizeText(key.recordSize()), key.shards(), run, result.records(),
				result.wallNanos() / 1e9, result.recordsPerSecond(), result.cpuMicrosPerRecord(),
				result.cpuSplit().text(), result.callsText(), result.failures(),
				(result.firstError() != null) ? " (first: " + result.firstError() + ")" : "");
		return result;
	}

	private KinesisAsyncClient newClient(PutRecordsCounter calls) {
		NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder()
			.protocol(this.settings.httpProtocol())
			.maxConcurrency(this.settings.httpConnections())
			.readTimeout(CALL_TIMEOUT)
			.writeTimeout(CALL_TIMEOUT);
		return LocalKinesisClients.builder(this.settings.endpoint(), http)
			.overrideConfiguration((config) -> config.addExecutionInterceptor(calls))
			.build();
	}

}
