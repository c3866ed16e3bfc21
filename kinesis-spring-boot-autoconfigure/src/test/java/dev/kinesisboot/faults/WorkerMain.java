package dev.kinesisboot.faults;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.redis.RedisCheckpointer;
import dev.kinesisboot.consumer.ConsumerMode;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.testsupport.LocalKinesis;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * A consumer worker process for {@link KilledWorkerIntegrationTests}: reads a stream with
 * the Redis checkpointer and appends each handled record to a file, one line each (id,
 * shard id and sequence number, separated by tabs), written straight to the file so a
 * SIGKILL loses none. A new highest iterator age is written as a line
 * {@code #age=<millis>}. Stops on SIGTERM (closing the consumer) and when its standard
 * input ends, so it does not outlive the test JVM.
 * <p>
 * Arguments: kinesis-endpoint redis-host redis-port stream application worker-id
 * lease-millis output-file.
 */
public final class WorkerMain {

	/** The prefix of the lines that carry an iterator age. */
	static final String AGE_PREFIX = "#age=";

	private WorkerMain() {
	}

	public static void main(String[] args) throws Exception {
		URI endpoint = URI.create(args[0]);
		String redisHost = args[1];
		int redisPort = Integer.parseInt(args[2]);
		String stream = args[3];
		String application = args[4];
		String workerId = args[5];
		Duration lease = Duration.ofMillis(Long.parseLong(args[6]));
		OutputStream out = Files.newOutputStream(Path.of(args[7]), StandardOpenOption.CREATE,
				StandardOpenOption.APPEND);

		KinesisAsyncClient client = KinesisAsyncClient.builder()
			.endpointOverride(endpoint)
			.region(LocalKinesis.REGION)
			.credentialsProvider(LocalKinesis.CREDENTIALS)
			.httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1))
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redisHost, redisPort));
		factory.afterPropertiesSet();
		factory.start();
		CheckpointerSettings settings = CheckpointerSettings.of(application, stream)
			.withWorkerId(workerId)
			.withLeaseDuration(lease);
		KinesisConsumer consumer = KinesisConsumer.builder(client)
			.streamName(stream)
			.options(FaultRuns.consumerOptions(ConsumerMode.POLLING))
			.checkpointer(RedisCheckpointer.builder(settings, factory).build())
			.metricsCollector(new AgeWriter(out))
			.build();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			consumer.close();
			factory.destroy();
			client.close();
		}));
		consumer.start((record) -> write(out,
				record.dataAsString() + "\t" + record.shardId() + "\t" + record.sequenceNumber()));
		System.out.println("worker " + workerId + " started");
		while (System.in.read() != -1) {
			// the test JVM holds the other end; its end means ours
		}
		System.exit(0);
	}

	private static void write(OutputStream out, String line) {
		byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
		synchronized (out) {
			try {
				out.write(bytes);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	/** Writes each new highest iterator age; drops every other metric. */
	private static final class AgeWriter implements MetricsCollector {

		private final OutputStream out;

		private final AtomicLong max = new AtomicLong(-1);

		AgeWriter(OutputStream out) {
			this.out = out;
		}

		@Override
		public void gauge(MetricType metric, double value, Map<String, String> labels) {
			long age = (long) value;
			if (metric == MetricType.CONSUMER_ITERATOR_AGE && age > this.max.getAndAccumulate(age, Math::max)) {
				write(this.out, AGE_PREFIX + age);
			}
		}

		@Override
		public void increment(MetricType metric, double value, Map<String, String> labels) {
		}

		@Override
		public void histogram(MetricType metric, double value, Map<String, String> labels) {
		}

	}

}
