package dev.kinesisboot.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.kinesisboot.listener.KinesisListener;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * The starter's own start-up cost: time from JVM start to {@link ApplicationReadyEvent}
 * of two web applications with actuator and Prometheus on the same classpath, one without
 * the Kinesis auto-configuration and one with it, a {@code KinesisTemplate} and one
 * {@code @KinesisListener} reading a stream of kinesis-local. Each start is a new JVM;
 * the two alternate.
 */
public final class StartupBenchmark {

	private static final String READY = "READY_MILLIS=";

	private StartupBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		String endpoint = "http://127.0.0.1:4567";
		int runs = 7;
		for (String arg : args) {
			if (arg.startsWith("--endpoint=")) {
				endpoint = arg.substring("--endpoint=".length());
			}
			else if (arg.startsWith("--runs=")) {
				runs = Integer.parseInt(arg.substring("--runs=".length()));
			}
		}
		System.out.printf("## Start-up: JVM start to ApplicationReadyEvent, %d starts each, %s, Java %s, %d cores%n%n",
				runs, LocalDate.now(), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
		long[] plain = new long[runs];
		long[] kinesis = new long[runs];
		for (int run = 0; run < runs; run++) {
			plain[run] = start("plain", endpoint);
			kinesis[run] = start("kinesis", endpoint);
		}
		Arrays.sort(plain);
		Arrays.sort(kinesis);
		System.out.println("| application | median ms | min–max ms |");
		System.out.println("|---|---|---|");
		System.out.printf("| Boot web + actuator + Prometheus, no Kinesis auto-configuration | %d | %d–%d |%n",
				plain[runs / 2], plain[0], plain[runs - 1]);
		System.out.printf("| the same + Kinesis starter (client, template, one @KinesisListener on kinesis-local) "
				+ "| %d | %d–%d |%n", kinesis[runs / 2], kinesis[0], kinesis[runs - 1]);
		System.out.printf("%nThe starter's cost: %+d ms (median).%n", kinesis[runs / 2] - plain[runs / 2]);
	}

	private static long start(String variant, String endpoint) throws Exception {
		String java = ProcessHandle.current().info().command().orElse("java");
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
				App.class.getName(), variant, "--server.port=0", "--spring.main.banner-mode=off",
				"--logging.level.root=WARN", "--management.endpoints.web.exposure.include=health,prometheus"));
		if (variant.equals("plain")) {
			command.add("--spring.autoconfigure.exclude=dev.kinesisboot.autoconfigure.KinesisAutoConfiguration,"
					+ "dev.kinesisboot.autoconfigure.KinesisCheckpointAutoConfiguration,"
					+ "dev.kinesisboot.autoconfigure.KinesisListenerAutoConfiguration,"
					+ "dev.kinesisboot.autoconfigure.KinesisActuatorAutoConfiguration");
		}
		else {
			command.addAll(List.of("--kinesis.endpoint=" + endpoint, "--kinesis.region=us-east-1",
					"--kinesis.credentials.access-key=local", "--kinesis.credentials.secret-key=local",
					"--kinesis.consumer.create-stream=true", "--spring.application.name=startup-bench"));
		}
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		try (BufferedReader output = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			for (String line; (line = output.readLine()) != null;) {
				if (line.startsWith(READY)) {
					return Long.parseLong(line.substring(READY.length()));
				}
			}
		}
		finally {
			process.destroy();
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly();
			}
		}
		throw new IllegalStateException("The " + variant + " application did not start; run it by hand to see why");
	}

	/**
	 * The measured application; prints the time to ready and exits.
	 */
	@SpringBootApplication
	public static class App {

		public static void main(String[] args) {
			boolean kinesis = args[0].equals("kinesis");
			SpringApplication application = new SpringApplication(App.class);
			if (kinesis) {
				application.addPrimarySources(List.of(Listener.class));
			}
			application.addListeners((ApplicationListener<ApplicationReadyEvent>) (event) -> {
				long millis = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
				System.out.println(READY + millis);
				System.out.flush();
				System.exit(0);
			});
			application.run(Arrays.copyOfRange(args, 1, args.length));
		}

	}

	/** The Kinesis variant's listener. */
	public static class Listener {

		@KinesisListener(streams = "startup-bench")
		void on(String event) {
		}

	}

}
