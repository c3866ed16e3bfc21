package dev.kinesisboot.consumer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import dev.kinesisboot.producer.KinesisProducer;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Read errors injected into GetRecords calls against a real Kinesis API: the shard backs
 * off, keeps its position, and every record arrives exactly once.
 */
@RequiresLocalServers(LocalServer.KINESIS)
class KinesisConsumerFaultIntegrationTests {

	@Test
	void throttlingConnectionErrorsAndExpiredIteratorsDoNotLoseOrRepeatRecords(LocalKinesis kinesis) {
		String stream = kinesis.createStream("consumer-faults", 1);
		try (KinesisProducer producer = KinesisProducer.builder(kinesis.client()).streamName(stream).build()) {
			for (int i = 0; i < 300; i++) {
				producer.put("f-" + i, "k");
			}
			producer.flush().join();
		}
		GetRecordsFaults faults = new GetRecordsFaults();
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		Map<String, Integer> seen = new ConcurrentHashMap<>();
		List<String> order = new CopyOnWriteArrayList<>();
		Map<String, Double> gaugesWhileReading = new ConcurrentHashMap<>();
		try (KinesisAsyncClient client = kinesis.newClient((builder) -> builder.overrideConfiguration(
				(config) -> config.addExecutionInterceptor(faults).retryPolicy(RetryPolicy.none())))) {
			KinesisConsumer consumer = KinesisConsumer.builder(client)
				.streamName(stream)
				.options(KinesisConsumerIntegrationTests.FAST.toBuilder().maxRecordsPerCall(25).build())
				.checkpointer(new MemoryCheckpointer(KinesisConsumerIntegrationTests.settings(stream)))
				.metricsCollector(metrics)
				.build();
			consumer.start((record) -> {
				seen.merge(record.dataAsString(), 1, Integer::sum);
				order.add(record.dataAsString());
			});
			await().atMost(Duration.ofMinutes(1)).until(() -> seen.size() >= 300 && faults.calls.get() > 16);
			gaugesWhileReading.putAll(metrics.gauges());
			consumer.close();
		}
		finally {
			kinesis.deleteStream(stream);
		}
		assertThat(seen).hasSize(300);
		assertThat(seen.values()).allSatisfy((count) -> assertThat(count).isEqualTo(1));
		for (int i = 0; i < 300; i++) {
			assertThat(order.get(i)).isEqualTo("f-" + i);
		}
		String labels = "shard_id=shardId-000000000000,stream_name=" + stream;
		assertThat(metrics.counters())
			.containsEntry("consumer_errors_total{error_type=ProvisionedThroughputExceededException," + labels + "}",
					2.0)
			.containsEntry("consumer_errors_total{error_type=connection," + labels + "}", 1.0)
			.containsEntry("consumer_errors_total{error_type=ExpiredIteratorException," + labels + "}", 1.0);
		assertThat(gaugesWhileReading).containsKey("consumer_iterator_age_milliseconds{" + labels + "}")
			.containsKey("consumer_lag_records{" + labels + "}");
		// a closed consumer reports no shard any more
		assertThat(metrics.gauges()).doesNotContainKey("consumer_iterator_age_milliseconds{" + labels + "}");
		assertThat(metrics.counters().get("consumer_checkpoint_success_total{" + labels + "}")).isPositive();
	}

	/**
	 * Fails GetRecords calls 2 and 3 (throttled), 5 (connection) and 7 (expired
	 * iterator).
	 */
	static class GetRecordsFaults implements ExecutionInterceptor {

		final AtomicInteger calls = new AtomicInteger();

		@Override
		public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
			if (!(context.request() instanceof GetRecordsRequest)) {
				return;
			}
			switch (this.calls.incrementAndGet()) {
				case 2, 3 -> throw ProvisionedThroughputExceededException.builder()
					.message("injected throttle")
					.statusCode(400)
					.awsErrorDetails(
							AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException").build())
					.build();
				case 5 -> throw new UncheckedIOException(new IOException("injected: connection reset"));
				case 7 -> throw ExpiredIteratorException.builder()
					.message("injected expiry")
					.statusCode(400)
					.awsErrorDetails(AwsErrorDetails.builder().errorCode("ExpiredIteratorException").build())
					.build();
				default -> {
				}
			}
		}

	}

}
