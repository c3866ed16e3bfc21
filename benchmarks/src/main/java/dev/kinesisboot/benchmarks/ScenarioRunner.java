package dev.kinesisboot.benchmarks;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

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
import io.awspring.cloud.kinesis.integration.KinesisMessageHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.config.EnableIntegration;
import org.springframework.integration.expression.FunctionExpression;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.ErrorMessage;
import org.springframework.messaging.support.MessageBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.kinesis.producer.Attempt;
import software.amazon.kinesis.producer.KinesisProducerConfiguration;
import software.amazon.kinesis.producer.UserRecordFailedException;
import software.amazon.kinesis.producer.UserRecordResult;

/**
 * Runs one scenario once against an existing stream: puts the records as fast as the
 * endpoint takes them, waits until every one is acknowledged, and measures the wall time
 * and this process's CPU time in between.
 * <p>
 * Every scenario builds the same payloads (a copy of a fixed random template with the
 * record's index in its first bytes) with the same random partition keys, so the
 * scenarios differ only in how they send. CPU time counts this JVM and its child
 * processes (the KPL daemon).
 */
final class ScenarioRunner {

	/** The namespace of the Micrometer scenario's meters. */
	static final String METRICS_NAMESPACE = "kinesis";

	private static final long SEED = 20_240_601L;

	/**
	 * The KPL scenario's per-shard rate limit in percent of the AWS limits: far above
	 * them, as the emulators never throttle and the other scenarios run without a
	 * client-side limit (the KPL default is 150).
	 */
	static final long KPL_RATE_LIMIT_PERCENT = 1_000_000;

	/**
	 * The most records the KPL scenario lets wait in the KPL at once, as the KPL has no
	 * bound of its own; the same as the default {@code maxQueueSize} of
	 * {@code KinesisProducer}.
	 */
	static final int KPL_MAX_OUTSTANDING = 10_000;

	private final KinesisAsyncClient client;

	private final BenchmarkSettings settings;

	private final OperatingSystemMXBean os;

	private final PutRecordsCounter calls;

	ScenarioRunner(KinesisAsyncClient client, BenchmarkSettings settings, PutRecordsCounter calls) {
		this.client = client;
		this.settings = settings;
		this.calls = calls;
		this.os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
	}

	/**
	 * The producer options of the producer scenarios: no client-side rate limit (the
	 * emulators do not throttle), the benchmark's in-flight limit, and waits long enough
	 * for a slow emulator; defaults otherwise.
	 * @return the options, with the benchmark's in-flight limit and queue size
	 */
	private ProducerOptions producerOptions() {
		return ProducerOptions.builder()
			.rateLimitEnabled(false)
			.maxInFlightBatches(this.settings.inFlight())
			.maxQueueSize(this.settings.maxQueueSize())
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
			case PRODUCER_NOOP ->
				runProducer(streamName, template, NoOpMetricsCollector.INSTANCE, null, producerOptions());
			case PRODUCER_MICROMETER -> {
				PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
				yield runProducer(streamName, template, new MicrometerMetricsCollector(registry, METRICS_NAMESPACE),
						registry, producerOptions());
			}
			case PRODUCER_DIRECT_CALLBACKS -> runProducer(streamName, template, NoOpMetricsCollector.INSTANCE, null,
					producerOptions().toBuilder().callbackExecutor(Runnable::run).build());
			case PRODUCER_RATE_LIMITED -> runProducer(streamName, template, NoOpMetricsCollector.INSTANCE, null,
					producerOptions().toBuilder().rateLimitEnabled(true).build());
			case PRODUCER_AGGREGATED -> runProducer(streamName, template, NoOpMetricsCollector.INSTANCE, null,
					producerOptions().toBuilder().rateLimitEnabled(true).aggregationEnabled(true).build());
			case PRODUCER_AGGREGATED_UNLIMITED -> runProducer(streamName, template, NoOpMetricsCollector.INSTANCE, null,
					producerOptions().toBuilder().aggregationEnabled(true).build());
			case PRODUCER_ORDERED -> runProducer(streamName, template, NoOpMetricsCollector.INSTANCE, null,
					producerOptions().toBuilder().orderedPerShard(true).build());
			case PRODUCER_ORDERED_10_KEYS -> runProducer(streamName, template, NoOpMetricsCollector.INSTANCE, null,
					producerOptions().toBuilder().orderedPerShard(true).build(), 10);
			case SDK_PUT_RECORDS -> runPutRecords(streamName, template);
			case SDK_PUT_RECORDS_QUEUED -> runQueuedPutRecords(streamName, template);
			case SCA_MESSAGE_HANDLER -> runMessageHandler(streamName, template);
			case KPL -> runKpl(streamName, template);
		};
	}

	private RunResult runProducer(String streamName, byte[] template, MetricsCollector metrics,
			PrometheusMeterRegistry registry, ProducerOptions options) {
		return runProducer(streamName, template, metrics, registry, options, 0);
	}

	/**
	 * Runs our producer; {@code keys} above 0 puts the records over that many partition
	 * keys, else each gets a random one. Each record's outcome is counted by a callback
	 * on its future, as the plain loop counts each call's, and the run ends when the
	 * flush after the last put completes (every record settled, its callback run); no
	 * future is kept, so the run holds no more records than the producer does.
	 */
	private RunResult runProducer(String streamName, byte[] template, MetricsCollector metrics,
			PrometheusMeterRegistry registry, ProducerOptions options, int keys) {
		int records = this.settings.records();
		Failures failures = new Failures();
		BiConsumer<Object, Throwable> outcome = (stored, error) -> {
			if (error != null) {
				failures.add(1, error);
			}
		};
		RunResult result;
		try (KinesisProducer producer = KinesisProducer.builder(this.client)
			.streamName(streamName)
			.options(options)
			.metricsCollector(metrics)
			.build()) {
			// steady state, as the loops: the start's ListShards, DescribeStreamSummary
			// and threads are set-up, not work per record
			producer.start();
			Measurement measurement = startMeasurement();
			putAll(producer, template, records, keys, outcome);
			producer.flush().join();
			result = measurement.stop(records, failures);
		}
		if (registry != null) {
			checkRecordsSentMetric(registry, streamName, records - result.failures());
		}
		return result;
	}

	private void putAll(KinesisProducer producer, byte[] template, int records, int keys,
			BiConsumer<Object, Throwable> outcome) {
		int threads = Math.min(this.settings.putThreads(), records);
		if (threads == 1) {
			putRange(producer, template, 0, records, keys, outcome);
			return;
		}
		List<Thread> putters = new ArrayList<>(threads);
		AtomicReference<RuntimeException> error = new AtomicReference<>();
		for (int t = 0; t < threads; t++) {
			int from = (int) ((long) records * t / threads);
			int to = (int) ((long) records * (t + 1) / threads);
			Thread putter = new Thread(() -> {
				try {
					putRange(producer, template, from, to, keys, outcome);
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

	private static void putRange(KinesisProducer producer, byte[] template, int from, int to, int keys,
			BiConsumer<Object, Throwable> outcome) {
		for (int i = from; i < to; i++) {
			CompletableFuture<?> put = (keys > 0) ? producer.put(payload(template, i), "key-" + (i % keys))
					: producer.put(payload(template, i));
			put.whenComplete(outcome);
		}
	}

	private RunResult runPutRecords(String streamName, byte[] template) {
		int records = this.settings.records();
		int perCall = recordsPerCall(template.length);
		PutRecordsCalls calls = new PutRecordsCalls(streamName);
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
			calls.send(entries);
		}
		return measurement.stop(records, calls.awaitAll());
	}

	/**
	 * The plain loop with its records built on another thread and handed over through a
	 * bounded queue of {@code --max-queue-size} records, as a buffering producer's caller
	 * hands them to its sender; the loop thread takes them 500 at a time, builds the
	 * entries and calls PutRecords with the same calls in flight.
	 */
	private RunResult runQueuedPutRecords(String streamName, byte[] template) {
		int records = this.settings.records();
		int perCall = recordsPerCall(template.length);
		PutRecordsCalls calls = new PutRecordsCalls(streamName);
		PartitionKeyStrategy keys = PartitionKeyStrategy.random();
		BlockingQueue<QueuedRecord> queue = new ArrayBlockingQueue<>(this.settings.maxQueueSize());
		Thread filler = new Thread(() -> {
			try {
				for (int i = 0; i < records; i++) {
					byte[] data = payload(template, i);
					queue.put(new QueuedRecord(data, keys.partitionKey(data)));
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}, "benchmark-put-0");
		Measurement measurement = startMeasurement();
		filler.start();
		List<QueuedRecord> taken = new ArrayList<>(perCall);
		try {
			for (int from = 0; from < records; from += perCall) {
				int count = Math.min(perCall, records - from);
				taken.clear();
				while (taken.size() < count) {
					if (queue.drainTo(taken, count - taken.size()) == 0) {
						taken.add(queue.take());
					}
				}
				List<PutRecordsRequestEntry> entries = new ArrayList<>(count);
				for (QueuedRecord record : taken) {
					entries.add(PutRecordsRequestEntry.builder()
						.data(SdkBytes.fromByteArrayUnsafe(record.data()))
						.partitionKey(record.key())
						.build());
				}
				calls.send(entries);
			}
			filler.join();
		}
		catch (InterruptedException ex) {
			filler.interrupt();
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while sending queued records", ex);
		}
		return measurement.stop(records, calls.awaitAll());
	}

	/**
	 * The PutRecords calls of the plain loops: at most {@code --in-flight} at once, each
	 * call's outcome counted when it settles.
	 */
	private final class PutRecordsCalls {

		private final String streamName;

		private final int inFlight = ScenarioRunner.this.settings.inFlight();

		private final Semaphore slots = new Semaphore(this.inFlight);

		private final Failures failures = new Failures();

		PutRecordsCalls(String streamName) {
			this.streamName = streamName;
		}

		/**
		 * Sends one call once one of the in-flight slots is free; its slot is freed when
		 * it settles.
		 * @param entries the call's records
		 */
		void send(List<PutRecordsRequestEntry> entries) {
			PutRecordsRequest request = PutRecordsRequest.builder()
				.streamName(this.streamName)
				.records(entries)
				.build();
			this.slots.acquireUninterruptibly();
			CompletableFuture<PutRecordsResponse> call;
			try {
				call = ScenarioRunner.this.client.putRecords(request);
			}
			catch (RuntimeException ex) {
				call = CompletableFuture.failedFuture(ex);
			}
			call.whenComplete((response, error) -> {
				try {
					countFailures(entries.size(), response, error, this.failures);
				}
				finally {
					this.slots.release();
				}
			});
		}

		/**
		 * Waits until every call sent has settled.
		 * @return the records that failed
		 */
		Failures awaitAll() {
			this.slots.acquireUninterruptibly(this.inFlight);
			return this.failures;
		}

	}

	/** A record built by the queued loop's filler thread. */
	private record QueuedRecord(byte[] data, String key) {

	}

	/**
	 * Spring Cloud AWS's handler as its documentation sets it up for async sends: our
	 * client, the stream, a partition key expression, {@code async=true} and an output
	 * channel for the results. Each message becomes one PutRecord call. The handler does
	 * not bound the calls in flight, so the benchmark does, to the client's connection
	 * pool; more would only wait for a connection (and fail after the acquire timeout).
	 */
	private RunResult runMessageHandler(String streamName, byte[] template) {
		int records = this.settings.records();
		int inFlight = this.settings.httpConnections();
		Semaphore slots = new Semaphore(inFlight);
		Failures failures = new Failures();
		PartitionKeyStrategy keys = PartitionKeyStrategy.random();
		MessageChannel acknowledged = (message, timeout) -> {
			slots.release();
			return true;
		};
		MessageChannel errors = (message, timeout) -> {
			try {
				Throwable error = ((ErrorMessage) message).getPayload();
				failures.add(1, (error.getCause() != null) ? error.getCause() : error);
			}
			finally {
				slots.release();
			}
			return true;
		};
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(
				IntegrationConfiguration.class)) {
			KinesisMessageHandler handler = new KinesisMessageHandler(this.client);
			handler.setStream(streamName);
			handler.setPartitionKeyExpression(
					new FunctionExpression<Message<byte[]>>((message) -> keys.partitionKey(message.getPayload())));
			handler.setAsync(true);
			handler.setOutputChannel(acknowledged);
			handler.setBeanFactory(context.getBeanFactory());
			handler.afterPropertiesSet();
			Measurement measurement = startMeasurement();
			for (int i = 0; i < records; i++) {
				Message<byte[]> message = MessageBuilder.withPayload(payload(template, i))
					.setHeader(MessageHeaders.ERROR_CHANNEL, errors)
					.build();
				slots.acquireUninterruptibly();
				try {
					handler.handleMessage(message);
				}
				catch (RuntimeException ex) {
					failures.add(1, ex);
					slots.release();
				}
			}
			slots.acquireUninterruptibly(inFlight);
			return measurement.stop(records, failures);
		}
	}

	/**
	 * The KPL with its defaults (aggregation on, 100 ms buffering) except: the endpoint
	 * (HTTPS, certificate not checked), static credentials, no CloudWatch metrics, the
	 * benchmark's in-flight limit as its connection count, its rate limit out of the way
	 * and waits long enough for a slow emulator. Records wait in the KPL up to
	 * {@link #KPL_MAX_OUTSTANDING}, the back-pressure its documentation asks callers to
	 * apply.
	 */
	private RunResult runKpl(String streamName, byte[] template) {
		URI endpoint = this.settings.kplEndpoint();
		KinesisProducerConfiguration configuration = new KinesisProducerConfiguration().setRegion("us-east-1")
			.setKinesisEndpoint(endpoint.getHost())
			.setKinesisPort(endpoint.getPort())
			.setCloudwatchEndpoint(endpoint.getHost())
			.setCloudwatchPort(endpoint.getPort())
			.setVerifyCertificate(false)
			.setCredentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
			.setMetricsLevel("none")
			.setLogLevel("warning")
			.setMaxConnections(this.settings.inFlight())
			.setRateLimit(KPL_RATE_LIMIT_PERCENT)
			.setRecordTtl(Duration.ofMinutes(10).toMillis())
			.setRequestTimeout(Duration.ofMinutes(2).toMillis());
		int records = this.settings.records();
		List<Future<UserRecordResult>> futures = new ArrayList<>(records);
		Failures failures = new Failures();
		PartitionKeyStrategy keys = PartitionKeyStrategy.random();
		software.amazon.kinesis.producer.KinesisProducer kpl = new software.amazon.kinesis.producer.KinesisProducer(
				configuration);
		try {
			// start the daemon's stream pipeline and shard map before measuring, as the
			// other
			// scenarios build their producer or handler before measuring
			countKplResult(kpl.addUserRecord(streamName, "primer", ByteBuffer.wrap(template.clone())), failures);
			Measurement measurement = startMeasurement();
			for (int i = 0; i < records; i++) {
				while (kpl.getOutstandingRecordsCount() >= KPL_MAX_OUTSTANDING) {
					pauseBriefly();
				}
				byte[] data = payload(template, i);
				futures.add(kpl.addUserRecord(streamName, keys.partitionKey(data), ByteBuffer.wrap(data)));
			}
			kpl.flush();
			for (Future<UserRecordResult> future : futures) {
				countKplResult(future, failures);
			}
			return measurement.stop(records, failures);
		}
		finally {
			kpl.destroy();
		}
	}

	private static void countKplResult(Future<UserRecordResult> future, Failures failures) {
		try {
			UserRecordResult result = future.get();
			if (!result.isSuccessful()) {
				failures.add(1, "KPL record failed: " + lastAttempt(result));
			}
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof UserRecordFailedException failed) {
				failures.add(1, "KPL record failed: " + lastAttempt(failed.getResult()));
			}
			else {
				failures.add(1, (ex.getCause() != null) ? ex.getCause() : ex);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for the KPL", ex);
		}
	}

	private static String lastAttempt(UserRecordResult result) {
		List<Attempt> attempts = result.getAttempts();
		if (attempts.isEmpty()) {
			return "no attempt";
		}
		Attempt last = attempts.get(attempts.size() - 1);
		return last.getErrorCode() + " " + last.getErrorMessage() + " (" + attempts.size() + " attempt(s))";
	}

	private static void pauseBriefly() {
		try {
			TimeUnit.MILLISECONDS.sleep(1);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for the KPL", ex);
		}
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
		return new Measurement(this.os, System.nanoTime(), this.os.getProcessCpuTime() + childCpuNanos(),
				ThreadCpu.now(), this.calls, this.calls.calls());
	}

	/**
	 * The CPU time of this process's live child processes, such as the KPL daemon, which
	 * does the KPL's work outside this JVM.
	 */
	private static long childCpuNanos() {
		return ProcessHandle.current()
			.descendants()
			.mapToLong((child) -> child.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
			.sum();
	}

	/** The Spring Integration infrastructure the message handler expects around it. */
	@Configuration(proxyBeanMethods = false)
	@EnableIntegration
	static class IntegrationConfiguration {

	}

	/** Wall and CPU time (in all and by thread) at the start of a run. */
	private record Measurement(OperatingSystemMXBean os, long startNanos, long startCpuNanos, ThreadCpu threads,
			PutRecordsCounter calls, long startCalls) {

		RunResult stop(int records, Failures failures) {
			long wall = System.nanoTime() - this.startNanos;
			long cpu = this.os.getProcessCpuTime() + childCpuNanos() - this.startCpuNanos;
			return new RunResult(records, wall, cpu, failures.count.get(), failures.first.get(),
					this.threads.splitSince(cpu, records), this.calls.calls() - this.startCalls);
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
