package dev.kinesisboot.producer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults injected mid-run into the calls to a real Kinesis API: every record still
 * arrives, and a record arrives twice only when a response was lost after Kinesis stored
 * it.
 */
@RequiresLocalServers(LocalServer.KINESIS)
class KinesisProducerFaultIntegrationTests {

	@Test
	void everyRecordArrivesThroughThrottlingPartialFailuresAndCutConnections(LocalKinesis kinesis) throws Exception {
		String stream = kinesis.createStream("producer-faults", 2);
		FaultInjector faults = new FaultInjector(36);
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		// the SDK's own retries are off, so every fault reaches the producer
		try (KinesisAsyncClient client = kinesis.newClient((builder) -> builder.overrideConfiguration(
				(config) -> config.addExecutionInterceptor(faults).retryPolicy(RetryPolicy.none())))) {
			KinesisProducer producer = KinesisProducer.builder(client)
				.streamName(stream)
				.metricsCollector(metrics)
				.options(ProducerOptions.builder()
					.maxBatchRecords(40)
					.bufferTime(Duration.ofMillis(50))
					.retryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
					.build())
				.build();
			List<CompletableFuture<PutResult>> futures = new ArrayList<>();
			for (int i = 0; i < 1500; i++) {
				futures.add(producer.put("id-" + i));
			}
			producer.close();
			assertThat(futures).allSatisfy((future) -> assertThat(future).isCompleted().isNotCompletedExceptionally());

			Map<String, Integer> seen = KinesisProducerIntegrationTests.countById(kinesis.readAll(stream));
			List<String> duplicates = seen.entrySet()
				.stream()
				.filter((e) -> e.getValue() > 1)
				.map(Map.Entry::getKey)
				.toList();
			System.out.printf(
					"fault run: %d throttled entries, %d internal failures, %d refused calls, "
							+ "%d lost responses (%d records), %d duplicates: %s%n",
					faults.throttledEntries.get(), faults.internalFailures.get(), faults.refusedCalls.get(),
					faults.lostResponses.get(), faults.recordsInLostResponses.get(), duplicates.size(), duplicates);

			assertThat(seen).hasSize(1500);
			for (int i = 0; i < 1500; i++) {
				assertThat(seen).containsKey("id-" + i);
			}
			assertThat(duplicates.size()).isLessThanOrEqualTo(faults.recordsInLostResponses.get());
			assertThat(faults.throttledEntries.get()).isPositive();
			assertThat(faults.internalFailures.get()).isPositive();
			assertThat(faults.refusedCalls.get()).isPositive();
			assertThat(faults.lostResponses.get()).isPositive();

			String labels = "stream_name=" + stream;
			assertThat(metrics.counters())
				.containsEntry("producer_throttles_total{" + labels + "}", (double) faults.throttledEntries.get())
				.containsEntry("producer_errors_total{error_type=InternalFailure," + labels + "}",
						(double) faults.internalFailures.get())
				.containsEntry("producer_errors_total{error_type=connection," + labels + "}",
						(double) (faults.refusedCalls.get() + faults.lostResponses.get()));
			// a record whose response was lost is counted once, when a retry is
			// acknowledged
			assertThat(metrics.counters().get("producer_records_sent_total{" + labels + "}")).isEqualTo(1500.0);
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

}
