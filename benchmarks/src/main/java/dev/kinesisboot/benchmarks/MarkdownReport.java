package dev.kinesisboot.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.ToDoubleFunction;

import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.core.util.VersionInfo;
import software.amazon.awssdk.http.Protocol;

/**
 * Writes the results of one benchmark invocation as Markdown: where it ran, how, and a
 * table of median, minimum and maximum records per second and CPU time per record.
 */
final class MarkdownReport {

	private final BenchmarkSettings settings;

	MarkdownReport(BenchmarkSettings settings) {
		this.settings = settings;
	}

	/**
	 * The report.
	 * @param results the measured runs of each scenario and record size, in table order
	 * @return the Markdown text
	 */
	String render(Map<ResultKey, List<RunResult>> results) {
		StringBuilder out = new StringBuilder();
		BenchmarkSettings s = this.settings;
		out.append("## Producer benchmark: ").append(s.label()).append("\n\n");
		out.append("- Date: ")
			.append(OffsetDateTime.now(ZoneOffset.UTC)
				.truncatedTo(ChronoUnit.SECONDS)
				.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
			.append('\n');
		out.append("- Endpoint: ").append(s.endpoint()).append('\n');
		out.append("- JVM: ")
			.append(System.getProperty("java.vm.name"))
			.append(' ')
			.append(System.getProperty("java.runtime.version"))
			.append(" (")
			.append(System.getProperty("java.vm.vendor"))
			.append("), max heap ")
			.append(Runtime.getRuntime().maxMemory() / (1024 * 1024))
			.append(" MiB, arguments ")
			.append(ManagementFactory.getRuntimeMXBean().getInputArguments())
			.append('\n');
		out.append("- OS: ")
			.append(System.getProperty("os.name"))
			.append(' ')
			.append(System.getProperty("os.version"))
			.append(' ')
			.append(System.getProperty("os.arch"))
			.append(", ")
			.append(Runtime.getRuntime().availableProcessors())
			.append(" cores")
			.append(cpuModel())
			.append('\n');
		out.append("- Client: AWS SDK for Java ")
			.append(VersionInfo.SDK_VERSION)
			.append(", KinesisAsyncClient over Netty, ")
			.append((s.httpProtocol() == Protocol.HTTP1_1) ? "HTTP/1.1" : "HTTP/2")
			.append(", ")
			.append(cborEnabled() ? "CBOR" : "JSON (aws.cborEnabled=false)")
			.append(" wire protocol; at most ")
			.append(s.inFlight())
			.append(" PutRecords calls in flight in every scenario\n");
		out.append("- KinesisProducer: rateLimitEnabled=false (the emulators do not throttle; against AWS keep the")
			.append(" rate limit on), maxInFlightBatches=")
			.append(s.inFlight())
			.append(", maxQueueSize=")
			.append(s.maxQueueSize())
			.append(", ")
			.append(s.putThreads())
			.append((s.putThreads() == 1) ? " thread" : " threads")
			.append(" calling put (each record's outcome counted by a callback on its future; no future kept),")
			.append(" random partition keys, other options at their defaults\n");
		if (s.scenarios().contains(Scenario.SCA_MESSAGE_HANDLER)) {
			out.append("- Spring Cloud AWS KinesisMessageHandler (spring-cloud-aws-kinesis ")
				.append(mavenVersion("io.awspring.cloud", "spring-cloud-aws-kinesis"))
				.append("): the same KinesisAsyncClient, async=true, a partition key expression, results on an output")
				.append(" channel; it sends one PutRecord call per record, at most ")
				.append(s.httpConnections())
				.append(" in flight (the client's connection pool)\n");
		}
		if (s.scenarios().contains(Scenario.KPL)) {
			out.append("- Amazon KPL ")
				.append(mavenVersion("software.amazon.kinesis", "amazon-kinesis-producer"))
				.append(" (native daemon) against ")
				.append(s.kplEndpoint())
				.append(" (HTTPS, certificate not checked): KPL aggregation on, maxConnections=")
				.append(s.inFlight())
				.append(", rateLimit=")
				.append(ScenarioRunner.KPL_RATE_LIMIT_PERCENT)
				.append(" % (out of the way), at most ")
				.append(format(ScenarioRunner.KPL_MAX_OUTSTANDING))
				.append(" records outstanding, metrics off, other options at their defaults; its CPU time includes")
				.append(" the daemon process\n");
		}
		out.append("- Runs: a fresh stream per run (shards as in the table), deleted afterwards; ")
			.append(format(s.records()))
			.append(" records per run; ")
			.append(s.runs())
			.append(" measured run(s) per row after ")
			.append(s.warmupRuns())
			.append(" warm-up run(s); the scenarios take turns, in an order rotated on each run\n\n");

		out.append("| Scenario | Record size | Shards | Runs | Records/s median | Records/s min | Records/s max "
				+ "| CPU µs/record median | CPU µs/record min | CPU µs/record max | JIT µs/record median "
				+ "| CPU without JIT µs/record median | CPU without JIT µs/record min | CPU without JIT µs/record max "
				+ "| Failures |\n");
		out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
				+ "| ---: | ---: |\n");
		results.forEach((key, runs) -> {
			double[] rate = values(runs, RunResult::recordsPerSecond);
			double[] cpu = values(runs, RunResult::cpuMicrosPerRecord);
			double[] jit = values(runs, RunResult::jitMicrosPerRecord);
			double[] steady = values(runs, RunResult::cpuMicrosPerRecordWithoutJit);
			long failures = runs.stream().mapToLong(RunResult::failures).sum();
			out.append("| ")
				.append(key.scenario().title())
				.append(" | ")
				.append(sizeText(key.recordSize()))
				.append(" | ")
				.append(key.shards())
				.append(" | ")
				.append(runs.size())
				.append(" | ")
				.append(format(median(rate)))
				.append(" | ")
				.append(format(rate[0]))
				.append(" | ")
				.append(format(rate[rate.length - 1]))
				.append(" | ")
				.append(micros(median(cpu)))
				.append(" | ")
				.append(micros(cpu[0]))
				.append(" | ")
				.append(micros(cpu[cpu.length - 1]))
				.append(" | ")
				.append(micros(median(jit)))
				.append(" | ")
				.append(micros(median(steady)))
				.append(" | ")
				.append(micros(steady[0]))
				.append(" | ")
				.append(micros(steady[steady.length - 1]))
				.append(" | ")
				.append(failures)
				.append(" |\n");
		});
		out.append('\n');
		out.append("- Records/s: records put divided by the wall time from the first put until the last record")
			.append(" was acknowledged; the emulator's speed bounds it.\n");
		out.append("- CPU µs/record: this JVM's process CPU time (OperatingSystemMXBean#getProcessCpuTime, all")
			.append(" threads: caller, producer, Netty, GC, JIT) plus that of its child processes (the KPL daemon)")
			.append(" over the same span, divided by the records. The emulator runs in its own process and is not")
			.append(" included. Process CPU time advances in clock")
			.append(" ticks (10 ms on Linux): ")
			.append(String.format(Locale.ROOT, "%.2f", 10_000.0 / this.settings.records()))
			.append(" µs/record at ")
			.append(format(this.settings.records()))
			.append(" records per run.\n");
		out.append("- JIT µs/record: the part of that CPU time spent by the JIT compiler threads (from")
			.append(" /proc/self/task on Linux; \"NaN\" elsewhere). It is compile work for whatever code became hot,")
			.append(" also in the run before (the scenarios share the SDK, Netty and JDK code, and each one's turn")
			.append(" changes its profile), not work done per record; it fades with warm-up but does not vanish")
			.append(" while scenarios take turns. CPU without JIT leaves it out.\n");
		out.append("- Record size: the data size; each record also has a random partition key of up to 32")
			.append(" characters.\n");
		out.append("- Failures: records not accepted, over all runs (the plain SDK loop does not retry failed")
			.append(" entries); they must be 0.\n");
		return out.toString();
	}

	/**
	 * How a record size is shown.
	 * @param bytes the size
	 * @return {@code 100 B}, {@code 1 KiB} and so on
	 */
	static String sizeText(int bytes) {
		return (bytes % 1024 == 0) ? (bytes / 1024) + " KiB" : bytes + " B";
	}

	private static double[] values(List<RunResult> runs, ToDoubleFunction<RunResult> metric) {
		double[] values = runs.stream().mapToDouble(metric).toArray();
		Arrays.sort(values);
		return values;
	}

	private static double median(double[] sorted) {
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	private static String micros(double value) {
		return String.format(Locale.ROOT, "%.1f", value);
	}

	private static String format(double value) {
		return String.format(Locale.ROOT, "%,.0f", value);
	}

	private static String mavenVersion(String groupId, String artifactId) {
		String path = "META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
		try (InputStream in = MarkdownReport.class.getClassLoader().getResourceAsStream(path)) {
			Properties properties = new Properties();
			if (in != null) {
				properties.load(in);
			}
			return properties.getProperty("version", "(version unknown)");
		}
		catch (IOException ex) {
			return "(version unknown)";
		}
	}

	private static boolean cborEnabled() {
		return SdkSystemSetting.CBOR_ENABLED.getBooleanValueOrThrow();
	}

	private static String cpuModel() {
		try {
			return Files.readAllLines(Path.of("/proc/cpuinfo"))
				.stream()
				.filter((line) -> line.startsWith("model name"))
				.map((line) -> " (" + line.substring(line.indexOf(':') + 1).trim() + ")")
				.findFirst()
				.orElse("");
		}
		catch (IOException | RuntimeException ex) {
			return "";
		}
	}

	/**
	 * One row of the table.
	 *
	 * @param scenario the scenario
	 * @param recordSize the record data size in bytes
	 * @param shards the shard count of the stream
	 */
	record ResultKey(Scenario scenario, int recordSize, int shards) {

	}

}
