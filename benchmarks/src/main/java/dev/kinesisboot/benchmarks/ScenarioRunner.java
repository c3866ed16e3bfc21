package dev.kinesisboot.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.management.OperatingSystemMXBean;
import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.metrics.MicrometerMetricsCollector;
import dev.kinesisboot.metrics.NoOpMetricsCollector;
import dev.kinesisboot.producer.KinesisProducer;
import dev.kinesisboot.producer.PartitionKeyStrategy;
import dev.kinesisboot.producer.ProducerOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Runs one scenario once against an existing stream: puts the records as fast as the
 * endpoint takes them, waits until every one is acknowledged, and measures the wall time
 * and this process's CPU time in between.
 * <p>
 * Every scenario builds the same payloads (a copy of a fixed random template with the
 * record's index in its first bytes) with the same random partition keys, so the
 * scenarios differ only in how they send.
 */
final class ScenarioRunner {

	/** The namespace of the Micrometer scenario's meters. */
	static final String METRICS_NAMESPACE = "kinesis";

	private static final long SEED = 20_240_601L;

	private final KinesisAsyncClient client;

	private final BenchmarkSettings settings;

	private final OperatingSystemMXBean os;

	ScenarioRunner(KinesisAsyncClient client, BenchmarkSettings settings) {
		this.client = client;
		this.settings = settings;
		this.os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
	}

	/**
	 * The producer options of the producer scenarios: no client-side rate limit (the
	 * emulators do not throttle), the benchmark's in-flight limit, and waits long enough
	 * for a slow emulator; defaults otherwise.
	 * @param inFlight the most PutRecords calls in flight
	 * @return the options
	 */
	static ProducerOptions producerOptions(int inFlight) {
		return ProducerOptions.builder()
			.rateLimitEnabled(false)
			.maxInFlightBatches(inFlight)
			.queueFullTimeout(Duration.ofMinutes(10))
			.recordTtl(Duration.ofMinutes(10))
			.build();
	}

	/**
	 * The most records per PutRecords call of the plain SDK loop: 500, fewer when 500
	 * would pass the 5 MiB request limit.
	 * @param recordSize the record data size
	 * @return the records per call
	 */
	static int recordsPerCall(int recordSize) {
		int perRecord = recordSize + 32;
		return (int) Math.min(ProducerOptions.MAX_BATCH_RECORDS, ProducerOptions.MAX_BATCH_BYTES / perRecord);
	}

	/**
	 * Runs a scenario once.
	 * @param scenario the scenario
	 * @param streamName the stream, ACTIVE
	 * @param recordSize the record data size in bytes
	 * @return what the run measured
	 */
	RunResult run(Scenario scenario, String streamName, int recordSize) {
		byte[] template = new byte[recordSize];
		new Random(SEED).nextBytes(template);
		return switch (scenario) {
			case PRODUCER_NOOP -> runProducer(streamName, template, NoOpMetricsCollector.INSTANCE, null,
					producerOptions(this.settings.inFlight()));
			case PRODUCER_MICROMETER -> {
				PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
				yield runProducer(streamName, template, new MicrometerMetricsCollector(registry, METRICS_NAMESPACE),
						registry, producerOptions(this.settings.inFlight()));
			}
			case PRODUCER_RATE_LIMITED -> runProducer(streamName, template, NoOpMetricsCollector.INSTANCE, null,
					producerOptions(this.settings.inFlight()).toBuilder().rateLimitEnabled(true).build());
			case PRODUCER_AGGREGATED -> runProducer(streamName, template, NoOpMetricsCollector.INSTANCE, null,
					producerOptions(this.settings.inFlight()).toBuilder()
						.rateLimitEnabled(true)
						.aggregationEnabled(true)
						.build());
			case SDK_PUT_RECORDS -> runPutRecords(streamName, template);
		};
	}

	private RunResult runProducer(String streamName, byte[] template, MetricsCollector metrics,
			PrometheusMeterRegistry registry, ProducerOptions options) {
		int records = this.settings.records();
		CompletableFuture<?>[] futures = new CompletableFuture<?>[records];
		Failures failures = new Failures();
		RunResult result;
		try (KinesisProducer producer = KinesisProducer.builder(this.client)
			.streamName(streamName)
			.options(options)
			.metricsCollector(metrics)
			.build()) {
			Measurement measurement = startMeasurement();
			putAll(producer, template, futures);
			producer.flush();
			for (CompletableFuture<?> future : futures) {
				try {
					future.join();
				}
				catch (CompletionException | CancellationException ex) {
					failures.add(1, (ex.getCause() != null) ? ex.getCause() : ex);
				}
			}
			result = measurement.stop(records, failures);
		}
		if (registry != null) {
			checkRecordsSentMetric(registry, streamName, records - result.failures());
		}
		return result;
	}

	private void putAll(KinesisProducer producer, byte[] template, CompletableFuture<?>[] futures) {
		int threads = Math.min(this.settings.putThreads(), futures.length);
		if (threads == 1) {
			putRange(producer, template, futures, 0, futures.length);
			return;
		}
		List<Thread> putters = new ArrayList<>(threads);
		AtomicReference<RuntimeException> error = new AtomicReference<>();
		for (int t = 0; t < threads; t++) {
			int from = (int) ((long) futures.length * t / threads);
			int to = (int) ((long) futures.length * (t + 1) / threads);
			Thread putter = new Thread(() -> {
				try {
					putRange(producer, template, futures, from, to);
				}
				catch (RuntimeException ex) {
					error.compareAndSet(null, ex);
				}
			}, "benchmark-put-" + t);
			putters.add(putter);
			putter.start();
		}
		for (Thread putter : putters) {
			try {
				putter.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while putting records", ex);
			}
		}
		if (error.get() != null) {
			throw error.get();
		}
	}

	private static void putRange(KinesisProducer producer, byte[] template, CompletableFuture<?>[] futures, int from,
			int to) {
		for (int i = from; i < to; i++) {
			futures[i] = producer.put(payload(template, i));
		}
	}

	private RunResult runPutRecords(String streamName, byte[] template) {
		int records = this.settings.records();
		int perCall = recordsPerCall(template.length);
		int inFlight = this.settings.inFlight();
		Semaphore slots = new Semaphore(inFlight);
		Failures failures = new Failures();
		PartitionKeyStrategy keys = PartitionKeyStrategy.random();
		Measurement measurement = startMeasurement();
		for (int from = 0; from < records; from += perCall) {
			int count = Math.min(perCall, records - from);
			List<PutRecordsRequestEntry> entries = new ArrayList<>(count);
			for (int i = from; i < from + count; i++) {
				byte[] data = payload(template, i);
				entries.add(PutRecordsRequestEntry.builder()
					.data(SdkBytes.fromByteArrayUnsafe(data))
					.partitionKey(keys.partitionKey(data))
					.build());
			}
			PutRecordsRequest request = PutRecordsRequest.builder().streamName(streamName).records(entries).build();
			slots.acquireUninterruptibly();
			CompletableFuture<PutRecordsResponse> call;
			try {
				call = this.client.putRecords(request);
			}
			catch (RuntimeException ex) {
				call = CompletableFuture.failedFuture(ex);
			}
			call.whenComplete((response, error) -> {
				try {
					countFailures(count, response, error, failures);
				}
				finally {
					slots.release();
				}
			});
		}
		slots.acquireUninterruptibly(inFlight);
		return measurement.stop(records, failures);
	}

	private static void countFailures(int count, PutRecordsResponse response, Throwable error, Failures failures) {
		if (error != null) {
			failures.add(count,
					(error instanceof CompletionException && error.getCause() != null) ? error.getCause() : error);
			return;
		}
		Integer failed = response.failedRecordCount();
		if (failed != null && failed > 0) {
			String code = response.records()
				.stream()
				.filter((entry) -> entry.errorCode() != null)
				.map(PutRecordsResultEntry::errorCode)
				.findFirst()
				.orElse("unknown");
			failures.add(failed, "PutRecords entry failed with " + code);
		}
	}

	/**
	 * A record's data: the template with the record's index in its first bytes.
	 * @param template the random template, as long as a record
	 * @param index the record's index in the run
	 * @return a new array
	 */
	static byte[] payload(byte[] template, int index) {
		byte[] data = template.clone();
		for (int b = 0; b < Math.min(Integer.BYTES, data.length); b++) {
			data[b] = (byte) (index >>> (24 - 8 * b));
		}
		return data;
	}

	private void checkRecordsSentMetric(PrometheusMeterRegistry registry, String streamName, long expected) {
		Counter counter = registry.find(METRICS_NAMESPACE + "." + MetricType.PRODUCER_RECORDS_SENT.meterName())
			.tag(MetricLabels.STREAM_NAME, streamName)
			.counter();
		double counted = (counter != null) ? counter.count() : 0;
		if (counted != expected) {
			throw new IllegalStateException("The Micrometer collector counted " + counted + " records sent, expected "
					+ expected + "; the metrics path is broken");
		}
	}

	private Measurement startMeasurement() {
		// start every run with the garbage of the previous one collected
		System.gc();
		return new Measurement(this.os, System.nanoTime(), this.os.getProcessCpuTime());
	}

	/** Wall and CPU time at the start of a run. */
	private record Measurement(OperatingSystemMXBean os, long startNanos, long startCpuNanos) {

		RunResult stop(int records, Failures failures) {
			long wall = System.nanoTime() - this.startNanos;
			long cpu = this.os.getProcessCpuTime() - this.startCpuNanos;
			return new RunResult(records, wall, cpu, failures.count.get(), failures.first.get());
		}

	}

	/** Records that were not accepted, and the first reason. */
	private static final class Failures {

		final AtomicLong count = new AtomicLong();

		final AtomicReference<String> first = new AtomicReference<>();

		void add(long records, Throwable error) {
			add(records, error.toString());
		}

		void add(long records, String reason) {
			this.count.addAndGet(records);
			this.first.compareAndSet(null, reason);
		}

	}

}
