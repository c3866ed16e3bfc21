package dev.kinesisboot.metrics;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;

class TimerTests {

	@Test
	void recordsElapsedSecondsFromTheMonotonicClock() {
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		AtomicLong nanos = new AtomicLong(1_000);
		Timer timer = new Timer(metrics, MetricType.PRODUCER_FLUSH_DURATION, MetricLabels.stream("orders"), nanos::get);
		nanos.addAndGet(250_000_000);
		timer.close();
		assertThat(metrics.histograms())
			.containsExactly(entry("producer_flush_duration_seconds{stream_name=orders}", List.of(0.25)));
	}

	@Test
	void recordsWhenTheTimedBlockThrows() {
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		assertThatIllegalStateException().isThrownBy(() -> {
			try (Timer timer = metrics.timer(MetricType.CONSUMER_PROCESSING_TIME,
					MetricLabels.shard("orders", "s-1"))) {
				throw new IllegalStateException("handler failed");
			}
		});
		assertThat(metrics.histograms().get("consumer_processing_time_seconds{shard_id=s-1,stream_name=orders}"))
			.singleElement()
			.satisfies((seconds) -> assertThat(seconds).isGreaterThanOrEqualTo(0.0).isLessThan(60.0));
	}

	@Test
	void closingTwiceRecordsOnce() {
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		Timer timer = metrics.timer(MetricType.PRODUCER_FLUSH_DURATION, MetricLabels.stream("orders"));
		timer.close();
		timer.close();
		assertThat(metrics.histograms().get("producer_flush_duration_seconds{stream_name=orders}")).hasSize(1);
	}

	@Test
	void noOpCollectorHandsOutOneSharedTimer() {
		Timer first = NoOpMetricsCollector.INSTANCE.timer(MetricType.PRODUCER_FLUSH_DURATION, MetricLabels.stream("a"));
		Timer second = NoOpMetricsCollector.INSTANCE.timer(MetricType.CONSUMER_PROCESSING_TIME,
				MetricLabels.stream("b"));
		assertThat(first).isSameAs(second).isSameAs(Timer.noop());
		first.close();
	}

}
