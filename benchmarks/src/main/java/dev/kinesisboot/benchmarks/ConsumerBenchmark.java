package dev.kinesisboot.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.consumer.ConsumerMode;
import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.support.Streams;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Consumer benchmarks against a local Kinesis (kinesis-local), printed as Markdown:
 * <ul>
 * <li>{@code latency}: put-to-handler latency at a steady rate, polling and fan-out, with
 * the consumer's default options, against a plain GetRecords loop and Spring Cloud AWS's
 * {@code KinesisMessageDrivenChannelAdapter};</li>
 * <li>{@code drain}: records/s read from a pre-filled stream, the same readers but
 * fan-out;</li>
 * <li>{@code steady}: producer and consumer at a steady rate, heap after GC each
 * minute;</li>
 * <li>{@code shards}: one consumer owning many shards, idle and then active: heap after
 * GC, process CPU, GetRecords calls per second and live threads.</li>
 * </ul>
 * Run it with {@code bash scripts/run-benchmark.sh consumer}.
 */
public final class ConsumerBenchmark {

	private final URI endpoint;

	private final Map<String, String> args;

	private ConsumerBenchmark(URI endpoint, Map<String, String> args) {
		this.endpoint = endpoint;
		this.args = args;
	}

	public static void main(String[] argv) throws Exception {
		Map<String, String> args = new HashMap<>();
		for (String arg : argv) {
			if (!arg.startsWith("--") || !arg.contains("=")) {
				throw new IllegalArgumentException("arguments are --name=value, got " + arg);
			}
			args.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
		}
		URI endpoint = URI.create(args.getOrDefault("endpoint", "http://127.0.0.1:4567"));
		ConsumerBenchmark benchmark = new ConsumerBenchmark(endpoint, args);
		List<String> scenarios = Arrays.asList(args.getOrDefault("scenarios", "latency,drain,shards").split(","));
		System.out.printf("Consumer benchmark, %s, %s, Java %s, %d cores, max heap %d MiB%n%n", LocalDate.now(),
				endpoint, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
				Runtime.getRuntime().maxMemory() >> 20);
		if (scenarios.contains("latency")) {
			benchmark.latency();
		}
		if (scenarios.contains("steady")) {
			benchmark.steady();
		}
		if (scenarios.contains("drain")) {
			benchmark.drain();
		}
		if (scenarios.contains("shards")) {
			benchmark.shards();
		}
		System.exit(0);
	}

	private int intArg(String name, int defaultValue) {
		return Integer.parseInt(this.args.getOrDefault(name, String.valueOf(defaultValue)));
	}

	private KinesisAsyncClient client(ExecutionInterceptor... interceptors) {
		return LocalKinesisClients
			.builder(this.endpoint, NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).maxConcurrency(500))
			.overrideConfiguration((config) -> Arrays.stream(interceptors).forEach(config::addExecutionInterceptor))
			.build();
	}

	// put-to-handler latency

	/** What reads the records in the latency and drain scenarios. */
	private enum Reader {

		PLAIN_LOOP("plain-loop", "plain GetRecords loop (200 ms)"),
		POLLING("polling", "KinesisConsumer, polling (defaults)"), FAN_OUT("fan-out", "KinesisConsumer, fan-out"),
		SCA_ADAPTER("sca-adapter", "Spring Cloud AWS KinesisMessageDrivenChannelAdapter (defaults)");

		final String id;

		final String title;

		Reader(String id, String title) {
			this.id = id;
			this.title = title;
		}

		static Reader of(String id) {
			return Arrays.stream(values())
				.filter((reader) -> reader.id.equals(id))
				.findFirst()
				.orElseThrow(() -> new IllegalArgumentException("unknown reader '" + id + "' in --readers; use "
						+ Arrays.stream(values()).map((reader) -> reader.id).toList()));
		}

	}

	/**
	 * The readers named by {@code --readers} (all by default; kinesalite has no
	 * SubscribeToShard, so leave out fan-out there).
	 */
	private List<Reader> readers() {
		String names = this.args.getOrDefault("readers", "plain-loop,polling,fan-out,sca-adapter");
		return Arrays.stream(names.split(",")).map(Reader::of).toList();
	}

	/**
	 * Starts reading a stream.
	 * @return what stops it
	 */
	private AutoCloseable startReader(Reader reader, KinesisAsyncClient client, String stream, InitialPosition position,
			java.util.function.Consumer<byte[]> handler) {
		if (reader == Reader.PLAIN_LOOP) {
			PlainGetRecordsLoop loop = new PlainGetRecordsLoop(client, stream, 200,
					(record) -> handler.accept(record.data().asByteArrayUnsafe()));
			loop.start(Streams.listShards(client, (r) -> r.streamName(stream)).join(),
					(position == InitialPosition.LATEST) ? ShardIteratorType.LATEST : ShardIteratorType.TRIM_HORIZON)
				.join();
			return loop;
		}
		if (reader == Reader.SCA_ADAPTER) {
			ScaChannelAdapterReader adapter = ScaChannelAdapterReader.start(client, stream,
					position != InitialPosition.LATEST, handler);
			if (position == InitialPosition.LATEST) {
				// it has no status to wait for: give it time to list the shards and
				// open their iterators before the caller's first put
				sleep(2000);
			}
			return adapter;
		}
		ConsumerOptions.Builder options = ConsumerOptions.builder()
			.mode((reader == Reader.FAN_OUT) ? ConsumerMode.FAN_OUT : ConsumerMode.POLLING)
			.initialPosition(position);
		if (this.args.containsKey("poll-interval")) {
			// --poll-interval=200: kinesis.consumer.poll-interval in milliseconds
			options.pollInterval(Duration.ofMillis(intArg("poll-interval", 500)));
		}
		if (this.args.containsKey("max-records-per-call")) {
			// --max-records-per-call=10000: kinesis.consumer.max-records-per-call
			options.maxRecordsPerCall(intArg("max-records-per-call", 1000));
		}
		KinesisConsumer consumer = KinesisConsumer.builder(client)
			.streamName(stream)
			.options(options.build())
			.checkpointer(new MemoryCheckpointer(CheckpointerSettings.of("bench", stream)))
			.build();
		consumer.start((record) -> handler.accept(record.data()));
		int shards = Streams.listShards(client, (r) -> r.streamName(stream)).join().size();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (consumer.status().size() < shards && System.nanoTime() < deadline) {
			sleep(50);
		}
		return consumer;
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private void latency() throws Exception {
		int rate = intArg("rate", 200);
		int seconds = intArg("seconds", 60);
		int shards = intArg("latency-shards", 4);
		int runs = intArg("runs", 5);
		System.out.printf("## Put-to-handler latency: %d records/s for %d s over %d shards, %d runs per reader%n%n",
				rate, seconds, shards, runs);
		System.out.println("Each run: a new stream; the reader (KinesisConsumer or Spring Cloud AWS's adapter with "
				+ "default options and in-memory checkpoints, or the plain loop) starts at LATEST and has every shard "
				+ "open 3 s before the first put. One PutRecord call per record; the latency is from just before the "
				+ "call to the handler, in one JVM.\n");
		if (this.args.containsKey("poll-interval")) {
			System.out.printf("KinesisConsumer runs with poll interval %s ms instead of its default.%n%n",
					this.args.get("poll-interval"));
		}
		System.out.println("| reader | run | records | p50 ms | p95 ms | p99 ms | max ms | PutRecord p50 / p99 ms |");
		System.out.println("|---|---|---|---|---|---|---|---|");
		Map<Reader, List<double[]>> all = new HashMap<>();
		for (Reader reader : readers()) {
			for (int run = 1; run <= runs; run++) {
				double[] result = latencyRun(reader, rate, seconds, shards);
				all.computeIfAbsent(reader, (m) -> new ArrayList<>()).add(result);
				System.out.printf("| %s | %d | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f / %.1f |%n", reader.title, run,
						result[0], result[1], result[2], result[3], result[4], result[5], result[6]);
			}
		}
		System.out.println("\n| reader | median p50 ms | median p99 ms | p99 min–max ms |");
		System.out.println("|---|---|---|---|");
		for (Reader reader : readers()) {
			double[] p50 = all.get(reader).stream().mapToDouble((r) -> r[1]).sorted().toArray();
			double[] p99 = all.get(reader).stream().mapToDouble((r) -> r[3]).sorted().toArray();
			System.out.printf("| %s | %.1f | %.1f | %.1f–%.1f |%n", reader.title, p50[p50.length / 2],
					p99[p99.length / 2], p99[0], p99[p99.length - 1]);
		}
		System.out.println();
	}

	/**
	 * @return records, p50, p95, p99, max, PutRecord p50 and p99 (ms)
	 */
	private double[] latencyRun(Reader reader, int rate, int seconds, int shardCount) throws Exception {
		try (KinesisAsyncClient client = client()) {
			BenchmarkStreams streams = new BenchmarkStreams(client);
			String stream = "latency-" + reader.name().toLowerCase().replace('_', '-') + "-"
					+ System.currentTimeMillis();
			streams.create(stream, shardCount);
			ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
			ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
			AutoCloseable running = startReader(reader, client, stream, InitialPosition.LATEST, (data) -> {
				long sent = Long.parseLong(new String(data, java.nio.charset.StandardCharsets.UTF_8));
				latencies.add(System.nanoTime() - sent);
			});
			try {
				// iterators or subscriptions open, so LATEST is fixed before the first
				// put
				Thread.sleep(3000);
				int total = rate * seconds;
				ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
				AtomicInteger sent = new AtomicInteger();
				AtomicInteger failed = new AtomicInteger();
				long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
				ticker.scheduleAtFixedRate(() -> {
					int n = sent.getAndIncrement();
					if (n >= total) {
						return;
					}
					long start = System.nanoTime();
					String now = Long.toString(start);
					client
						.putRecord((r) -> r.streamName(stream).partitionKey("k" + n).data(SdkBytes.fromUtf8String(now)))
						.whenComplete((ok, error) -> {
							if (error != null) {
								failed.incrementAndGet();
							}
							else {
								acks.add(System.nanoTime() - start);
							}
						});
				}, 0, periodNanos, TimeUnit.NANOSECONDS);
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 60L);
				while (latencies.size() + failed.get() < total && System.nanoTime() < deadline) {
					Thread.sleep(100);
				}
				ticker.shutdownNow();
				if (failed.get() > 0) {
					System.err.printf("[benchmark] %d puts failed%n", failed.get());
				}
			}
			finally {
				running.close();
				streams.deleteAll();
			}
			double[] sorted = latencies.stream().mapToDouble((nanos) -> nanos / 1e6).sorted().toArray();
			double[] acked = acks.stream().mapToDouble((nanos) -> nanos / 1e6).sorted().toArray();
			return new double[] { sorted.length, percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99),
					sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1], percentile(acked, 50),
					percentile(acked, 99) };
		}
	}

	// steady run: memory over time

	private void steady() throws Exception {
		int rate = intArg("steady-rate", 200);
		int minutes = intArg("minutes", 10);
		System.out.printf("## Steady run: KinesisProducer to KinesisConsumer (polling, default options), %d records/s "
				+ "over 4 shards for %d minutes%n%n", rate, minutes);
		System.out.println("| minute | records sent | records handled | heap after GC MiB | put-to-handler p50 ms | "
				+ "p99 ms |");
		System.out.println("|---|---|---|---|---|---|");
		try (KinesisAsyncClient client = client()) {
			BenchmarkStreams streams = new BenchmarkStreams(client);
			String stream = "steady-" + System.currentTimeMillis();
			streams.create(stream, 4);
			ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
			AtomicLong handled = new AtomicLong();
			AtomicLong sent = new AtomicLong();
			ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
			try (dev.kinesisboot.producer.KinesisProducer producer = dev.kinesisboot.producer.KinesisProducer
				.builder(client)
				.streamName(stream)
				.build()) {
				AutoCloseable consumer = startReader(Reader.POLLING, client, stream, InitialPosition.LATEST, (data) -> {
					long at = Long.parseLong(new String(data, java.nio.charset.StandardCharsets.UTF_8));
					latencies.add(System.nanoTime() - at);
					handled.incrementAndGet();
				});
				Thread.sleep(3000);
				ticker.scheduleAtFixedRate(() -> {
					producer.put(Long.toString(System.nanoTime()).getBytes(java.nio.charset.StandardCharsets.UTF_8),
							"k" + sent.incrementAndGet());
				}, 0, TimeUnit.SECONDS.toNanos(1) / rate, TimeUnit.NANOSECONDS);
				MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
				for (int minute = 1; minute <= minutes; minute++) {
					Thread.sleep(60_000);
					List<Long> window = new ArrayList<>();
					for (Long value; (value = latencies.poll()) != null;) {
						window.add(value);
					}
					double[] sorted = window.stream().mapToDouble((nanos) -> nanos / 1e6).sorted().toArray();
					System.gc();
					System.gc();
					System.out.printf("| %d | %d | %d | %.1f | %.1f | %.1f |%n", minute, sent.get(), handled.get(),
							memory.getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0), percentile(sorted, 50),
							percentile(sorted, 99));
				}
				ticker.shutdownNow();
				consumer.close();
			}
			finally {
				ticker.shutdownNow();
				streams.deleteAll();
			}
		}
		System.out.println();
	}

	// drain a pre-filled stream

	private void drain() throws Exception {
		int records = intArg("drain-records", 20_000);
		int shardCount = intArg("drain-shards", 4);
		int runs = intArg("runs", 5);
		System.out.printf("## Drain: %,d records of 100 B pre-filled in a %d-shard stream, read from TRIM_HORIZON, "
				+ "%d runs per reader%n%n", records, shardCount, runs);
		System.out.println("| reader | median records/s | min–max records/s |");
		System.out.println("|---|---|---|");
		try (KinesisAsyncClient client = client()) {
			BenchmarkStreams streams = new BenchmarkStreams(client);
			String stream = "drain-" + System.currentTimeMillis();
			streams.create(stream, shardCount);
			try {
				fill(client, stream, records);
				// fan-out is left out: kinesis-local pushes one event per second, so it
				// would measure the emulator
				for (Reader reader : readers().stream().filter((reader) -> reader != Reader.FAN_OUT).toList()) {
					double[] rates = new double[runs];
					for (int run = 0; run < runs; run++) {
						AtomicLong handled = new AtomicLong();
						long t0 = System.nanoTime();
						AutoCloseable running = startReader(reader, client, stream, InitialPosition.TRIM_HORIZON,
								(data) -> handled.incrementAndGet());
						long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
						while (handled.get() < records && System.nanoTime() < deadline) {
							Thread.sleep(5);
						}
						rates[run] = handled.get() / ((System.nanoTime() - t0) / 1e9);
						running.close();
					}
					Arrays.sort(rates);
					System.out.printf("| %s | %.0f | %.0f–%.0f |%n", reader.title, rates[runs / 2], rates[0],
							rates[runs - 1]);
				}
			}
			finally {
				streams.deleteAll();
			}
		}
		System.out
			.println("\nThe time includes opening the iterators (and, for KinesisConsumer, taking the leases).\n");
	}

	private static void fill(KinesisAsyncClient client, String stream, int records) {
		String data = "x".repeat(100);
		for (int from = 0; from < records; from += 500) {
			List<PutRecordsRequestEntry> entries = new ArrayList<>();
			for (int i = from; i < Math.min(records, from + 500); i++) {
				entries.add(PutRecordsRequestEntry.builder()
					.partitionKey("k" + i)
					.data(SdkBytes.fromUtf8String(data))
					.build());
			}
			var response = client.putRecords((r) -> r.streamName(stream).records(entries)).join();
			if (response.failedRecordCount() != null && response.failedRecordCount() > 0) {
				throw new IllegalStateException(response.failedRecordCount() + " records were not stored");
			}
		}
	}

	private static double percentile(double[] sorted, double p) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
	}

	// many shards

	private void shards() throws Exception {
		int shardCount = intArg("shards", 200);
		int phaseSeconds = intArg("phase-seconds", 60);
		int rate = intArg("active-rate", 1000);
		AtomicLong getRecords = new AtomicLong();
		ExecutionInterceptor counter = new ExecutionInterceptor() {
			@Override
			public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
				if (context.request() instanceof GetRecordsRequest) {
					getRecords.incrementAndGet();
				}
			}
		};
		System.out.printf("## One consumer, %d shards (polling, default options): %d s idle, then %d s at %d "
				+ "records/s spread over all shards%n%n", shardCount, phaseSeconds, phaseSeconds, rate);
		try (KinesisAsyncClient client = client(counter); KinesisAsyncClient producerClient = client()) {
			BenchmarkStreams streams = new BenchmarkStreams(client);
			String stream = "shards-" + System.currentTimeMillis();
			streams.create(stream, shardCount);
			List<Shard> shards = Streams.listShards(client, (r) -> r.streamName(stream)).join();
			AtomicLong handled = new AtomicLong();
			KinesisConsumer consumer = KinesisConsumer.builder(client)
				.streamName(stream)
				.options(ConsumerOptions.builder().initialPosition(InitialPosition.TRIM_HORIZON).build())
				.checkpointer(new MemoryCheckpointer(CheckpointerSettings.of("bench", stream)))
				.build();
			try {
				consumer.start((record) -> handled.incrementAndGet());
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
				while (consumer.status().size() < shardCount && System.nanoTime() < deadline) {
					Thread.sleep(100);
				}
				Thread.sleep(5000);
				System.out.println("| phase | heap after GC MiB | process CPU % of one core | GetRecords calls/s | "
						+ "calls/s per shard | records handled/s | live threads |");
				System.out.println("|---|---|---|---|---|---|---|");
				phase("idle", phaseSeconds, getRecords, handled, shardCount, null);
				ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
				AtomicInteger next = new AtomicInteger();
				int perTick = Math.max(1, rate / 10);
				load.scheduleAtFixedRate(() -> {
					List<PutRecordsRequestEntry> entries = new ArrayList<>(perTick);
					for (int i = 0; i < perTick; i++) {
						Shard shard = shards.get(next.getAndIncrement() % shards.size());
						entries.add(PutRecordsRequestEntry.builder()
							.partitionKey("k")
							.explicitHashKey(shard.hashKeyRange().startingHashKey())
							.data(SdkBytes.fromUtf8String("x".repeat(100)))
							.build());
					}
					for (int from = 0; from < entries.size(); from += 500) {
						List<PutRecordsRequestEntry> chunk = entries.subList(from,
								Math.min(entries.size(), from + 500));
						producerClient.putRecords((r) -> r.streamName(stream).records(chunk));
					}
				}, 0, 100, TimeUnit.MILLISECONDS);
				Thread.sleep(5000);
				phase("active", phaseSeconds, getRecords, handled, shardCount, load);
			}
			finally {
				consumer.close();
				streams.deleteAll();
			}
		}
		System.out.println("\nCPU and threads are the whole benchmark JVM's, so the active phase includes the load "
				+ "generator's PutRecords calls.");
	}

	private static void phase(String name, int seconds, AtomicLong getRecords, AtomicLong handled, int shardCount,
			ScheduledExecutorService load) throws InterruptedException {
		com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory
			.getOperatingSystemMXBean();
		long cpu0 = os.getProcessCpuTime();
		long calls0 = getRecords.get();
		long handled0 = handled.get();
		long t0 = System.nanoTime();
		Thread.sleep(Duration.ofSeconds(seconds).toMillis());
		long elapsed = System.nanoTime() - t0;
		double cpu = 100.0 * (os.getProcessCpuTime() - cpu0) / elapsed;
		double calls = (getRecords.get() - calls0) / (elapsed / 1e9);
		double records = (handled.get() - handled0) / (elapsed / 1e9);
		int threads = ManagementFactory.getThreadMXBean().getThreadCount();
		if (load != null) {
			load.shutdownNow();
		}
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		System.gc();
		System.gc();
		double heap = memory.getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
		System.out.printf("| %s | %.1f | %.1f | %.1f | %.2f | %.1f | %d |%n", name, heap, cpu, calls,
				calls / shardCount, records, threads);
	}

}
