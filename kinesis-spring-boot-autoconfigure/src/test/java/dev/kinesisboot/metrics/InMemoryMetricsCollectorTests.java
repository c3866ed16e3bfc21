package dev.kinesisboot.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;

class InMemoryMetricsCollectorTests {

	private final InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();

	@Test
	void keysAreNameThenLabelsSortedByKeyWithoutQuotesOrSpaces() {
		this.metrics.increment(MetricType.CONSUMER_ERRORS, 1,
				Map.of("stream_name", "orders", "shard_id", "shardId-000000000000", "error_type", "InternalFailure"));
		assertThat(this.metrics.counters()).containsOnlyKeys(
				"consumer_errors_total{error_type=InternalFailure,shard_id=shardId-000000000000,stream_name=orders}");
	}

	@Test
	void metricWithoutLabelsIsKeyedByNameAlone() {
		this.metrics.increment(MetricType.PRODUCER_RECORDS_SENT, 2, Map.of());
		this.metrics.increment(MetricType.PRODUCER_RECORDS_SENT, 1, null);
		assertThat(this.metrics.counters()).containsExactly(entry("producer_records_sent_total", 3.0));
	}

	@Test
	void countersAddGaugesKeepTheLastValueHistogramsKeepEveryObservation() {
		Map<String, String> orders = MetricLabels.stream("orders");
		this.metrics.increment(MetricType.PRODUCER_RECORDS_SENT, orders);
		this.metrics.increment(MetricType.PRODUCER_RECORDS_SENT, 4, orders);
		this.metrics.gauge(MetricType.PRODUCER_QUEUE_SIZE, 10, orders);
		this.metrics.gauge(MetricType.PRODUCER_QUEUE_SIZE, 3, orders);
		this.metrics.histogram(MetricType.PRODUCER_BATCH_SIZE, 5, orders);
		this.metrics.histogram(MetricType.PRODUCER_BATCH_SIZE, 500, orders);

		assertThat(this.metrics.counters())
			.containsExactly(entry("producer_records_sent_total{stream_name=orders}", 5.0));
		assertThat(this.metrics.gauges()).containsExactly(entry("producer_queue_size{stream_name=orders}", 3.0));
		assertThat(this.metrics.histograms())
			.containsExactly(entry("producer_batch_size{stream_name=orders}", List.of(5.0, 500.0)));
		assertThat(this.metrics.getMetrics()).containsExactly(
				entry("producer_batch_size_count{stream_name=orders}", 2.0),
				entry("producer_batch_size_sum{stream_name=orders}", 505.0),
				entry("producer_queue_size{stream_name=orders}", 3.0),
				entry("producer_records_sent_total{stream_name=orders}", 5.0));
	}

	@Test
	void concurrentIncrementsAddUpExactly() throws Exception {
		int threads = 8;
		int perThread = 20_000;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> futures = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			String shard = "shardId-00" + (t % 2);
			futures.add(pool.submit(() -> {
				start.await();
				for (int i = 0; i < perThread; i++) {
					this.metrics.increment(MetricType.CONSUMER_RECORDS_RECEIVED, MetricLabels.shard("orders", shard));
					this.metrics.histogram(MetricType.CONSUMER_PROCESSING_TIME, 0.001,
							MetricLabels.shard("orders", shard));
				}
				return null;
			}));
		}
		start.countDown();
		for (Future<?> future : futures) {
			future.get();
		}
		pool.shutdown();

		assertThat(this.metrics.counters()).containsExactly(
				entry("consumer_records_received_total{shard_id=shardId-000,stream_name=orders}", 80_000.0),
				entry("consumer_records_received_total{shard_id=shardId-001,stream_name=orders}", 80_000.0));
		assertThat(this.metrics.histograms().values()).allSatisfy((values) -> assertThat(values).hasSize(80_000));
	}

	@Test
	void snapshotsDoNotChangeAfterwards() {
		this.metrics.histogram(MetricType.PRODUCER_BATCH_SIZE, 1, MetricLabels.stream("orders"));
		Map<String, List<Double>> before = this.metrics.histograms();
		this.metrics.histogram(MetricType.PRODUCER_BATCH_SIZE, 2, MetricLabels.stream("orders"));
		assertThat(before.get("producer_batch_size{stream_name=orders}")).containsExactly(1.0);
	}

	@Test
	void clearForgetsEverything() {
		this.metrics.increment(MetricType.PRODUCER_RECORDS_SENT, MetricLabels.stream("orders"));
		this.metrics.clear();
		assertThat(this.metrics.getMetrics()).isEmpty();
	}

	@Test
	void invalidLabelKeyIsRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.metrics.increment(MetricType.PRODUCER_RECORDS_SENT, Map.of("stream.name", "x")))
			.withMessageContaining("'stream.name'");
	}

}
