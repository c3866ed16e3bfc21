package dev.kinesisboot.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.kinesisboot.aggregation.RecordDeaggregator;
import dev.kinesisboot.consumer.RecordSource.Batch;
import dev.kinesisboot.metrics.NoOpMetricsCollector;
import dev.kinesisboot.testsupport.VirtualScheduler;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.kinesis.model.Record;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pacing of {@link PollingSource}: how long it waits before the next GetRecords.
 */
class PollingSourceTests {

	private static final Duration MIN_FETCH = Duration.ofMillis(200);

	private static final Duration POLL = Duration.ofMillis(500);

	private static final Duration IDLE_MAX = Duration.ofSeconds(2);

	private static final ConsumerOptions OPTIONS = ConsumerOptions.builder()
		.minFetchInterval(MIN_FETCH)
		.pollInterval(POLL)
		.idlePollIntervalMax(IDLE_MAX)
		.maxRecordsPerCall(3)
		.build();

	private int shardsOwned = 400;

	private final PollingSource source = new PollingSource(
			new StreamContext("orders", null, new KinesisConsumerTests.ScriptedKinesis(), OPTIONS,
					NoOpMetricsCollector.INSTANCE, new VirtualScheduler(1), new RecordDeaggregator()),
			"shardId-000000000000", new ShardPositions(OPTIONS, false), () -> this.shardsOwned);

	@Test
	void behindTheTipReadsAgainAfterTheMinimumGapOnly() {
		assertThat(this.source.nextReadDelayNanos(new Batch(records(1), 5_000L, false, false)))
			.isLessThanOrEqualTo(MIN_FETCH.toNanos());
	}

	@Test
	void aFullBatchCountsAsBehindEvenWhenTheLagReadsZero() {
		// kinesalite reports MillisBehindLatest 0 on every read; a full batch means more
		// records wait
		assertThat(this.source.nextReadDelayNanos(new Batch(records(3), 0L, false, false)))
			.isLessThanOrEqualTo(MIN_FETCH.toNanos());
		assertThat(this.source.nextReadDelayNanos(new Batch(records(3), null, false, false)))
			.isLessThanOrEqualTo(MIN_FETCH.toNanos());
	}

	@Test
	void aPartBatchAtTheTipWaitsThePollInterval() {
		assertThat(this.source.nextReadDelayNanos(new Batch(records(2), 0L, false, false))).isEqualTo(POLL.toNanos());
	}

	@Test
	void withFewShardsAnIdleShardIsStillReadEveryPollInterval() {
		// 4 shards read every 500 ms cost 8 calls/s, well under the idle budget: waiting
		// longer would only delay the first record after a pause
		this.shardsOwned = 4;
		List<Long> waits = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			waits.add(this.source.nextReadDelayNanos(new Batch(List.of(), 0L, false, false)) / 1_000_000);
		}
		assertThat(waits).containsExactly(500L, 500L, 500L, 500L);
	}

	@Test
	void idleWaitsGrowOnlyAsFarAsTheIdleCallBudgetNeeds() {
		// 120 idle shards at 100 calls/s: 1.2 s each
		this.shardsOwned = 120;
		List<Long> waits = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			waits.add(this.source.nextReadDelayNanos(new Batch(List.of(), 0L, false, false)) / 1_000_000);
		}
		assertThat(waits).containsExactly(500L, 1000L, 1200L, 1200L);
	}

	@Test
	void emptyReadsDoubleTheWaitUpToTheIdleMaximum() {
		List<Long> waits = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			waits.add(this.source.nextReadDelayNanos(new Batch(List.of(), 0L, false, false)) / 1_000_000);
		}
		assertThat(waits).containsExactly(500L, 1000L, 2000L, 2000L);
		this.source.nextReadDelayNanos(new Batch(records(1), 0L, false, false));
		assertThat(this.source.nextReadDelayNanos(new Batch(List.of(), 0L, false, false))).isEqualTo(POLL.toNanos());
	}

	private static List<Record> records(int count) {
		List<Record> records = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			records.add(TestRecords.record(String.valueOf(i + 1), "r" + i));
		}
		return records;
	}

}
