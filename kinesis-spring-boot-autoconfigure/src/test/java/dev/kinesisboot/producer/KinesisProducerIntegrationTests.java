package dev.kinesisboot.producer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.kinesis.model.Record;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresLocalServers(LocalServer.KINESIS)
class KinesisProducerIntegrationTests {

	@Test
	void tenThousandRecordsFromEightThreadsArriveExactlyOnceAcrossFourShards(LocalKinesis kinesis) throws Exception {
		String stream = kinesis.createStream("producer-10k", 4);
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		try (KinesisProducer producer = KinesisProducer.builder(kinesis.client())
			.streamName(stream)
			.metricsCollector(metrics)
			.build()) {
			ExecutorService threads = Executors.newFixedThreadPool(8);
			List<Future<List<CompletableFuture<PutResult>>>> puts = new ArrayList<>();
			for (int t = 0; t < 8; t++) {
				int thread = t;
				puts.add(threads.submit(() -> {
					List<CompletableFuture<PutResult>> futures = new ArrayList<>();
					for (int i = 0; i < 1250; i++) {
						futures.add(producer.put("{\"id\":\"" + thread + "-" + i + "\"}"));
					}
					return futures;
				}));
			}
			List<CompletableFuture<PutResult>> futures = new ArrayList<>();
			for (Future<List<CompletableFuture<PutResult>>> put : puts) {
				futures.addAll(put.get(5, TimeUnit.MINUTES));
			}
			threads.shutdown();
			CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);

			Map<String, Integer> seen = countById(kinesis.readAll(stream));
			assertThat(seen).hasSize(10_000);
			assertThat(seen.values()).allSatisfy((count) -> assertThat(count).isEqualTo(1));
			assertThat(futures.stream().map((future) -> future.join().shardId()).distinct()).hasSize(4);
			assertThat(metrics.counters()).containsEntry("producer_records_sent_total{stream_name=" + stream + "}",
					10_000.0);
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

	@Test
	void flushAndCloseSendEverythingQueued(LocalKinesis kinesis) throws Exception {
		String stream = kinesis.createStream("producer-drain", 1);
		try {
			KinesisProducer producer = KinesisProducer.builder(kinesis.client())
				.streamName(stream)
				.options(ProducerOptions.builder().bufferTime(Duration.ofSeconds(30)).build())
				.build();
			List<CompletableFuture<PutResult>> flushed = new ArrayList<>();
			for (int i = 0; i < 300; i++) {
				flushed.add(producer.put("flushed-" + i));
			}
			producer.flush().get(2, TimeUnit.MINUTES);
			assertThat(flushed).allSatisfy((future) -> assertThat(future).isCompleted().isNotCompletedExceptionally());

			List<CompletableFuture<PutResult>> closed = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				closed.add(producer.put("closed-" + i));
			}
			producer.close();
			assertThat(closed).allSatisfy((future) -> assertThat(future).isCompleted().isNotCompletedExceptionally());
			assertThat(kinesis.readAll(stream)).hasSize(500);
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

	@Test
	void oversizedRecordFailsAloneAndItsNeighboursAreStored(LocalKinesis kinesis) {
		String stream = kinesis.createStream("producer-oversized", 1);
		try (KinesisProducer producer = KinesisProducer.builder(kinesis.client()).streamName(stream).build()) {
			CompletableFuture<PutResult> before = producer.put("before");
			CompletableFuture<PutResult> oversized = producer.put(new byte[ProducerOptions.MAX_RECORD_BYTES], "key");
			CompletableFuture<PutResult> after = producer.put("after");
			producer.flush().join();

			assertThat(oversized).isCompletedExceptionally();
			assertThat(before.join().sequenceNumber()).isNotBlank();
			assertThat(after.join().sequenceNumber()).isNotBlank();
			assertThat(kinesis.readAll(stream)).extracting((record) -> record.data().asUtf8String())
				.containsExactlyInAnyOrder("before", "after");
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

	@Test
	void createsAMissingStreamWhenAskedTo(LocalKinesis kinesis) {
		String stream = dev.kinesisboot.testsupport.TestNames.unique("producer-created");
		try (KinesisProducer producer = KinesisProducer.builder(kinesis.client())
			.streamName(stream)
			.options(ProducerOptions.builder().createStream(true, 2).build())
			.build()) {
			assertThat(producer.put("hello").join().shardId()).startsWith("shardId-");
		}
		finally {
			kinesis.deleteStream(stream);
		}
	}

	static Map<String, Integer> countById(List<Record> records) {
		Map<String, Integer> seen = new HashMap<>();
		for (Record record : records) {
			seen.merge(record.data().asUtf8String(), 1, Integer::sum);
		}
		return seen;
	}

}
