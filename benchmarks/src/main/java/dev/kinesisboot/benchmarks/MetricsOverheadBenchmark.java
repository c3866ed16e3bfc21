package dev.kinesisboot.benchmarks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.metrics.MicrometerMetricsCollector;
import dev.kinesisboot.metrics.NoOpMetricsCollector;
import dev.kinesisboot.producer.KinesisProducer;
import dev.kinesisboot.producer.ProducerOptions;
import dev.kinesisboot.producer.PutResult;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the metrics cost on the two hot paths, with the {@link NoOpMetricsCollector}
 * against a {@link MicrometerMetricsCollector} over a Prometheus registry (the Spring
 * Boot setup). Both run the real {@link KinesisProducer} and {@link KinesisConsumer} on a
 * {@link StubKinesisClient} that answers at once, so the library is what is measured.
 * Scores are user records per second; the overhead is {@code (noop - micrometer) / noop}.
 * <ul>
 * <li>{@code producerPut}: one thread puts {@value #PRODUCER_RECORDS_PER_FLUSH} records
 * of 100 bytes (keys from a fixed set, over 4 shards, rate limits off), then flushes and
 * waits until Kinesis accepted all of them; the producer's own thread batches, sends and
 * completes the futures meanwhile.</li>
 * <li>{@code consumerDispatch}: a consumer runs all the time on one shard whose every
 * GetRecords returns 500 records and says it is behind, so it reads again at once; the
 * handler counts. Each invocation waits, parked, until
 * {@value #CONSUMER_RECORDS_PER_WAIT} more records were handled: the rate of the whole
 * fetch, expand, dispatch, handle and checkpoint loop in its steady state.</li>
 * </ul>
 * Run it with {@code scripts/run-jmh-benchmark.sh} (the defaults below are its defaults
 * too). One benchmark thread on purpose: the library's own threads (producer sender;
 * consumer timer and handler) need the other core.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 3, jvmArgsAppend = { "-Xms512m", "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn" })
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 8, time = 2)
@Threads(1)
public class MetricsOverheadBenchmark {

	/** Records put between two flushes in {@code producerPut}. */
	static final int PRODUCER_RECORDS_PER_FLUSH = 5000;

	/** Records handled per invocation of {@code consumerDispatch}. */
	static final int CONSUMER_RECORDS_PER_WAIT = 25_000;

	private static final String STREAM = "bench";

	/**
	 * Puts records and flushes; one invocation counts as
	 * {@value #PRODUCER_RECORDS_PER_FLUSH} operations.
	 * @param state the producer
	 * @return the last record's result, accepted
	 */
	@Benchmark
	@OperationsPerInvocation(PRODUCER_RECORDS_PER_FLUSH)
	public PutResult producerPut(ProducerPath state) {
		KinesisProducer producer = state.producer;
		CompletableFuture<PutResult> last = null;
		for (int i = 0; i < PRODUCER_RECORDS_PER_FLUSH; i++) {
			last = producer.put(state.payload, state.nextKey());
		}
		producer.flush().join();
		// a failed record fails the run rather than counting as sent
		return last.join();
	}

	/**
	 * Waits until the running consumer handled {@value #CONSUMER_RECORDS_PER_WAIT} more
	 * records; one invocation counts as that many operations.
	 * @param state the consumer
	 * @return the records handled so far
	 */
	@Benchmark
	@OperationsPerInvocation(CONSUMER_RECORDS_PER_WAIT)
	public long consumerDispatch(ConsumerPath state) {
		return state.progress.awaitMore(CONSUMER_RECORDS_PER_WAIT);
	}

	/** The collectors compared: {@code noop} and {@code micrometer}. */
	static MetricsCollector collector(String name, PrometheusMeterRegistry registry) {
		return switch (name) {
			case "noop" -> NoOpMetricsCollector.INSTANCE;
			case "micrometer" -> new MicrometerMetricsCollector(registry, ScenarioRunner.METRICS_NAMESPACE);
			default -> throw new IllegalArgumentException("metrics is noop or micrometer, got " + name);
		};
	}

	/**
	 * Fails the run when the Micrometer collector saw nothing: the path was not taken.
	 */
	static void checkCounted(String metrics, PrometheusMeterRegistry registry, MetricType type) {
		if (!"micrometer".equals(metrics)) {
			return;
		}
		String name = ScenarioRunner.METRICS_NAMESPACE + "." + type.meterName();
		double counted = registry.find(name).counters().stream().mapToDouble((counter) -> counter.count()).sum();
		if (counted <= 0) {
			throw new IllegalStateException("Micrometer counted nothing in " + name + "; the metrics path is broken");
		}
	}

	/**
	 * A producer on a 4-shard stub stream.
	 */
	@State(Scope.Benchmark)
	public static class ProducerPath {

		private static final int KEYS = 1024;

		/** Which collector: {@code noop} or {@code micrometer}. */
		@Param({ "noop", "micrometer" })
		public String metrics;

		KinesisProducer producer;

		final byte[] payload = new byte[100];

		private final String[] keys = new String[KEYS];

		private int next;

		private StubKinesisClient client;

		private PrometheusMeterRegistry registry;

		@Setup
		public void start() {
			for (int i = 0; i < KEYS; i++) {
				this.keys[i] = "customer-" + i;
			}
			this.payload[0] = '{';
			this.client = new StubKinesisClient(STREAM, 4, 500, 100);
			this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
			this.producer = KinesisProducer.builder(this.client)
				.streamName(STREAM)
				.metricsCollector(collector(this.metrics, this.registry))
				.options(ProducerOptions.builder()
					// the stub never throttles; the limiter would set the pace, not the
					// code
					.rateLimitEnabled(false)
					.queueFullTimeout(Duration.ofMinutes(1))
					.build())
				.build();
		}

		String nextKey() {
			String key = this.keys[this.next];
			this.next = (this.next + 1) & (KEYS - 1);
			return key;
		}

		@TearDown
		public void stop() {
			this.producer.close();
			if (this.client.putRecordsCalls() == 0) {
				throw new IllegalStateException("the producer never called PutRecords");
			}
			checkCounted(this.metrics, this.registry, MetricType.PRODUCER_RECORDS_SENT);
			this.registry.close();
		}

	}

	/**
	 * A running consumer on a 1-shard stub stream that is always 500 records behind.
	 */
	@State(Scope.Benchmark)
	public static class ConsumerPath {

		/** Which collector: {@code noop} or {@code micrometer}. */
		@Param({ "noop", "micrometer" })
		public String metrics;

		final Progress progress = new Progress();

		private KinesisConsumer consumer;

		private StubKinesisClient client;

		private PrometheusMeterRegistry registry;

		@Setup
		public void start() {
			this.client = new StubKinesisClient(STREAM, 1, 500, 100);
			this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
			this.consumer = KinesisConsumer.builder(this.client)
				.streamName(STREAM)
				.metricsCollector(collector(this.metrics, this.registry))
				.options(ConsumerOptions.builder()
					.initialPosition(InitialPosition.TRIM_HORIZON)
					// must be positive; 1 ns means no pacing between reads while behind
					.minFetchInterval(Duration.ofNanos(1))
					.shutdownTimeout(Duration.ofSeconds(10))
					.build())
				.build();
			this.consumer.start((record) -> this.progress.handled());
			// the first lease cycle starts the shard; fail here rather than hang later
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (this.progress.count() == 0) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("the consumer handled no record within 30 s: "
							+ this.consumer.status() + ", " + this.client.getRecordsCalls() + " GetRecords calls");
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
			}
		}

		@TearDown
		public void stop() {
			this.consumer.close();
			checkCounted(this.metrics, this.registry, MetricType.CONSUMER_RECORDS_RECEIVED);
			this.registry.close();
		}

	}

	/**
	 * Counts handled records and wakes a waiting benchmark thread once a target is
	 * reached, so the benchmark thread neither spins (it would take a core from the
	 * consumer) nor oversleeps (a timed sleep would add its granularity to every
	 * invocation).
	 */
	static final class Progress {

		private final AtomicLong handled = new AtomicLong();

		private volatile long target = Long.MAX_VALUE;

		private volatile Thread waiter;

		void handled() {
			if (this.handled.incrementAndGet() >= this.target) {
				LockSupport.unpark(this.waiter);
			}
		}

		long count() {
			return this.handled.get();
		}

		long awaitMore(long records) {
			this.waiter = Thread.currentThread();
			long goal = this.handled.get() + records;
			this.target = goal;
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
			long now;
			while ((now = this.handled.get()) < goal) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("the consumer handled " + (now - goal + records) + " of " + records
							+ " records within a minute; it stalled");
				}
				LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
			}
			this.target = Long.MAX_VALUE;
			return now;
		}

	}

}
