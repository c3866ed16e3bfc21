package dev.kinesisboot.benchmarks;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kinesisboot.producer.ProducerOptions;

import software.amazon.awssdk.http.Protocol;

/**
 * The settings of one benchmark invocation, read from {@code --name=value} (or
 * {@code --name value}) arguments.
 *
 * @param endpoint the Kinesis endpoint
 * @param label what the endpoint is, for the report heading
 * @param shardCounts the shard counts of the runs' streams, one table row per count
 * @param records the records put per run
 * @param runs the measured runs per scenario and record size
 * @param warmupRuns the unmeasured runs per scenario and record size before them
 * @param inFlight the most PutRecords calls in flight at once, for every scenario
 * @param recordSizes the record data sizes in bytes
 * @param putThreads the threads calling {@code KinesisProducer.put}
 * @param maxQueueSize the {@code maxQueueSize} of the producer scenarios, and the queue
 * of the queued SDK loop
 * @param httpProtocol the HTTP protocol of the client
 * @param scenarios the scenarios to run
 * @param kplEndpoint the HTTPS endpoint of the KPL scenario, or {@code null}
 */
record BenchmarkSettings(URI endpoint, String label, List<Integer> shardCounts, int records, int runs, int warmupRuns,
		int inFlight, List<Integer> recordSizes, int putThreads, int maxQueueSize, Protocol httpProtocol,
		List<Scenario> scenarios, URI kplEndpoint) {

	private static final int DEFAULT_MAX_QUEUE_SIZE = ProducerOptions.builder().build().maxQueueSize();

	static final String DEFAULT_SCENARIOS = "producer-noop,producer-micrometer,sdk-put-records,sca-message-handler";

	/**
	 * 25 KiB: the largest size the benchmark is asked for; Kinesis itself takes 1 MiB.
	 */
	private static final int MAX_RECORD_SIZE = 25 * 1024;

	/**
	 * The command-line help.
	 * @return the usage text
	 */
	static String usage() {
		return """
				Usage: ProducerBenchmark --endpoint=URL [options]

				  --endpoint=URL        Kinesis endpoint (default http://127.0.0.1:4567)
				  --label=TEXT          what the endpoint is, for the report heading (default: the URL)
				  --shards=N,N          shards of each run's fresh stream, one table row per count (default 1)
				  --records=N           records per run (default 20000)
				  --runs=N              measured runs per scenario and record size (default 5)
				  --warmup=N            warm-up runs per scenario and record size, not measured (default 1)
				  --in-flight=N         most PutRecords calls in flight, for every scenario (default 8)
				  --sizes=B,B           record data sizes in bytes, at most 25600 (default 100,1024)
				  --put-threads=N       threads calling KinesisProducer.put (default 1)
				  --max-queue-size=N    maxQueueSize of the producer scenarios, and the queue of
				                        sdk-put-records-queued (default: the producer's, %d)
				  --http=1.1|2          HTTP protocol of the client (default 1.1)
				  --scenarios=A,B       scenarios to run, of %s
				                        (default %s)
				  --kpl-endpoint=URL    HTTPS endpoint of the kpl scenario, which speaks only HTTPS and does
				                        not check the certificate (kinesis-local: https://127.0.0.1:4568;
				                        default: --endpoint when that is https)
				  --help                this text

				Run the JVM with -Daws.cborEnabled=false for endpoints that speak only JSON (kinesalite).
				""".formatted(DEFAULT_MAX_QUEUE_SIZE, Scenario.ids(), DEFAULT_SCENARIOS);
	}

	/**
	 * Reads the arguments.
	 * @param args the command-line arguments
	 * @return the settings, or {@code null} when help was asked for
	 * @throws IllegalArgumentException naming the bad argument
	 */
	static BenchmarkSettings parse(String[] args) {
		Map<String, String> values = new LinkedHashMap<>();
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			if (arg.equals("--help") || arg.equals("-h")) {
				return null;
			}
			if (!arg.startsWith("--") || arg.length() == 2) {
				throw new IllegalArgumentException("Unexpected argument '" + arg + "'");
			}
			int equals = arg.indexOf('=');
			if (equals > 0) {
				values.put(arg.substring(2, equals), arg.substring(equals + 1));
			}
			else if (i + 1 < args.length) {
				values.put(arg.substring(2), args[++i]);
			}
			else {
				throw new IllegalArgumentException("Argument '" + arg + "' needs a value");
			}
		}
		URI endpoint = URI.create(values.getOrDefault("endpoint", "http://127.0.0.1:4567"));
		String label = values.getOrDefault("label", endpoint.toString());
		List<Integer> shardCounts = new ArrayList<>();
		for (String count : values.getOrDefault("shards", "1").split(",")) {
			int shards = parseInt("shards", count.trim());
			if (shards < 1) {
				throw new IllegalArgumentException("--shards must be at least 1, got " + shards);
			}
			shardCounts.add(shards);
		}
		int records = intValue(values, "records", 20_000, 1);
		int runs = intValue(values, "runs", 5, 1);
		int warmupRuns = intValue(values, "warmup", 1, 0);
		int inFlight = intValue(values, "in-flight", 8, 1);
		List<Integer> sizes = new ArrayList<>();
		for (String size : values.getOrDefault("sizes", "100,1024").split(",")) {
			int bytes = parseInt("sizes", size.trim());
			if (bytes < 1 || bytes > MAX_RECORD_SIZE) {
				throw new IllegalArgumentException(
						"Record sizes must be between 1 and " + MAX_RECORD_SIZE + " bytes, got " + bytes);
			}
			sizes.add(bytes);
		}
		int putThreads = intValue(values, "put-threads", 1, 1);
		int maxQueueSize = intValue(values, "max-queue-size", DEFAULT_MAX_QUEUE_SIZE, 1);
		Protocol protocol = switch (values.getOrDefault("http", "1.1")) {
			case "1.1" -> Protocol.HTTP1_1;
			case "2" -> Protocol.HTTP2;
			default -> throw new IllegalArgumentException("--http must be 1.1 or 2, got " + values.get("http"));
		};
		List<Scenario> scenarios = new ArrayList<>();
		for (String id : values.getOrDefault("scenarios", DEFAULT_SCENARIOS).split(",")) {
			scenarios.add(Scenario.fromId(id.trim()));
		}
		URI kplEndpoint = values.containsKey("kpl-endpoint") ? URI.create(values.get("kpl-endpoint"))
				: ("https".equals(endpoint.getScheme()) ? endpoint : null);
		if (scenarios.contains(Scenario.KPL)
				&& (kplEndpoint == null || !"https".equals(kplEndpoint.getScheme()) || kplEndpoint.getPort() < 0)) {
			throw new IllegalArgumentException("The kpl scenario needs an HTTPS endpoint with a port (the KPL daemon "
					+ "speaks only HTTPS); pass --kpl-endpoint=https://127.0.0.1:4568 for kinesis-local, or run "
					+ "scripts/run-producer-benchmark.sh with KINESALITE_TLS=1 for kinesalite; got "
					+ ((kplEndpoint != null) ? kplEndpoint : "none"));
		}
		values.keySet()
			.removeAll(List.of("endpoint", "label", "shards", "records", "runs", "warmup", "in-flight", "sizes",
					"put-threads", "max-queue-size", "http", "scenarios", "kpl-endpoint"));
		if (!values.isEmpty()) {
			throw new IllegalArgumentException("Unknown option(s) " + values.keySet());
		}
		return new BenchmarkSettings(endpoint, label, List.copyOf(shardCounts), records, runs, warmupRuns, inFlight,
				List.copyOf(sizes), putThreads, maxQueueSize, protocol, List.copyOf(scenarios), kplEndpoint);
	}

	/**
	 * The connection pool size of the benchmark's Kinesis client, which also bounds the
	 * PutRecord calls in flight of the Spring Cloud AWS scenario.
	 * @return the most connections
	 */
	int httpConnections() {
		return Math.max(50, this.inFlight * 2);
	}

	private static int intValue(Map<String, String> values, String name, int defaultValue, int min) {
		String text = values.get(name);
		int value = (text != null) ? parseInt(name, text.replace("_", "").replace(",", "")) : defaultValue;
		if (value < min) {
			throw new IllegalArgumentException("--" + name + " must be at least " + min + ", got " + value);
		}
		return value;
	}

	private static int parseInt(String name, String text) {
		try {
			return Integer.parseInt(text);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("--" + name + " takes a whole number, got '" + text + "'");
		}
	}

}
