package dev.kinesisboot.consumer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.WorkerBeat;
import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;
import dev.kinesisboot.consumer.LeaseLoadModel.Phase;
import dev.kinesisboot.consumer.LeaseLoadModel.Size;
import dev.kinesisboot.consumer.StoreTraffic.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The {@link LeaseLoadModel}: a small size checked in every build, so the tool keeps
 * working, and the full table on demand:
 * {@code ./mvnw -B -pl kinesis-spring-boot-autoconfigure test -Dtest=LeaseLoadModelTests -Dloadmodel.run=true}
 * ({@code -Dloadmodel.sizes=100x10,10000x100} runs only those sizes,
 * {@code -Dloadmodel.logs=true} keeps the library's logging on,
 * {@code -Dloadmodel.checkpointInterval=PT0S} sets another checkpoint interval).
 */
class LeaseLoadModelTests {

	@Test
	void hundredShardsOnTenWorkersSpreadEvenlyAndInSteadyStateCostOnlyRenewalsHeartbeatsAndCheckpoints() {
		LeaseLoadModel.Settings settings = new LeaseLoadModel.Settings();
		settings.steadyWindow = Duration.ofSeconds(30);
		settings.settleLimit = Duration.ofSeconds(90);
		List<Phase> phases = quietly(() -> new LeaseLoadModel(settings).run(new Size(100, 10)));
		Phase steady = phases.get(0);
		StoreTraffic.Window window = steady.traffic();
		StoreTraffic.Tally total = window.total;
		double cycleSeconds = LeaseTiming.of(settings.leaseDuration).renewIntervalNanos() / 1e9;
		String streamKey = DynamoDbLeaseItems.streamKey(LeaseLoadModel.APPLICATION, LeaseLoadModel.STREAM);
		int beatSize = DynamoDbLeaseItems.size(DynamoDbLeaseItems.beatItem(streamKey,
				new WorkerBeat("ip-10-0-0-1-00000000", 10, 0, Instant.parse("2026-01-01T00:01:00Z"), 100)));

		// every shard is read by exactly one worker, ten each
		assertThat(steady.settled()).isTrue();
		assertThat(steady.spread()).isEqualTo(new LeaseLoadModel.Spread(100, 0, 10, 10));
		// each worker renews its ten leases and writes and reads the heartbeats once per
		// cycle; nobody reads the leases, since nothing changes
		assertThat(window.perSecond(total.calls(Kind.RENEW))).isCloseTo(100 / cycleSeconds, within(1.5));
		assertThat(window.perSecond(total.calls(Kind.BEAT))).isCloseTo(10 / cycleSeconds, within(0.15));
		assertThat(total.calls(Kind.BEAT_QUERY)).isEqualTo(total.calls(Kind.BEAT));
		assertThat(total.calls(Kind.QUERY)).isZero();
		assertThat(total.itemsRead).isEqualTo(10 * total.calls(Kind.BEAT_QUERY));
		// one checkpoint per shard per interval (a record arrives every poll interval)
		double interval = settings.options.checkpointInterval().toNanos() / 1e9;
		double poll = settings.options.pollInterval().toNanos() / 1e9;
		assertThat(window.perSecond(total.calls(Kind.CHECKPOINT))).isBetween(100 / (interval + poll),
				100 / interval * 1.05);
		// nothing moves in steady state
		assertThat(total.calls(Kind.TAKE) + total.calls(Kind.RELEASE) + total.calls(Kind.GET_ITEM) + total.refused)
			.isZero();
		// ten heartbeats are one read unit; every write is one unit (items are far
		// under 1 KB)
		assertThat((double) total.bytesRead / total.itemsRead).isCloseTo(beatSize, within(3.0));
		assertThat(total.readUnits).isEqualTo(total.calls(Kind.BEAT_QUERY));
		assertThat(total.writeUnits).isEqualTo(total.itemsWritten)
			.isEqualTo(total.calls(Kind.RENEW) + total.calls(Kind.CHECKPOINT) + total.calls(Kind.BEAT));
		// the leases spread over the buckets, the heartbeats have a key of their own
		assertThat(window.byPartitionKey).containsKey(DynamoDbLeaseItems.workersKey(streamKey))
			.hasSizeGreaterThan(DynamoDbCheckpointer.DEFAULT_LEASE_BUCKETS / 2);
		assertThat(window.hottestPartitionKey((tally) -> tally.writeUnits))
			.isLessThan(window.perSecond(total.writeUnits) / 4);
		assertThat(window.byWorker).hasSize(10);
		assertThat(window.byWorker.values().stream().mapToLong((tally) -> tally.writeUnits).sum())
			.isEqualTo(total.writeUnits);
		// after a join the newcomer gets its share; after a crash the others take the
		// crashed worker's shards once its leases expired
		Phase joined = phases.get(1);
		Phase crashed = phases.get(2);
		assertThat(joined.settled()).isTrue();
		assertThat(joined.spread()).isEqualTo(new LeaseLoadModel.Spread(100, 0, 9, 10));
		assertThat(joined.traffic().total.calls(Kind.TAKE)).isPositive();
		assertThat(crashed.settled()).isTrue();
		assertThat(crashed.evenAfterNanos()).isGreaterThanOrEqualTo(settings.leaseDuration.toNanos() * 3 / 4);
		assertThat(crashed.spread()).isEqualTo(new LeaseLoadModel.Spread(100, 0, 10, 10));
		assertThat(crashed.traffic().total.calls(Kind.GET_ITEM)).isGreaterThanOrEqualTo(joined.spread().fewest());
	}

	@Test
	@EnabledIfSystemProperty(named = "loadmodel.run", matches = "true")
	void printsTheStoreLoadOfNineSizesInSteadyStateAndAfterWorkersJoinAndCrash() {
		List<Size> sizes = new ArrayList<>();
		String only = System.getProperty("loadmodel.sizes");
		if (only != null) {
			for (String size : only.split(",")) {
				String[] parts = size.trim().split("x");
				sizes.add(new Size(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])));
			}
		}
		else {
			for (int shards : new int[] { 100, 1_000, 10_000 }) {
				for (int workers : new int[] { 1, 10, 100 }) {
					sizes.add(new Size(shards, workers));
				}
			}
		}
		LeaseLoadModel.Settings settings = new LeaseLoadModel.Settings();
		String interval = System.getProperty("loadmodel.checkpointInterval");
		if (interval != null) {
			// to show what the checkpoint cadence alone changes
			settings.options = settings.options.toBuilder().checkpointInterval(Duration.parse(interval)).build();
		}
		List<Phase> phases = new ArrayList<>();
		Map<Size, Duration> runTimes = new LinkedHashMap<>();
		// wall time of each run, for the report only: the model itself runs on the
		// virtual clock
		Clock wall = Clock.systemUTC();
		for (Size size : sizes) {
			long started = wall.millis();
			List<Phase> run = quietly(() -> new LeaseLoadModel(settings).run(size));
			runTimes.put(size, Duration.ofMillis(wall.millis() - started));
			phases.addAll(run);
			System.out.printf("%s: %.1f s, %.0f virtual s%n", size, runTimes.get(size).toMillis() / 1000.0,
					run.get(run.size() - 1).virtualNanos() / 1e9);
		}
		System.out.println();
		System.out.println(LeaseLoadModel.assumptions(settings));
		System.out.println(LeaseLoadModel.table(phases, runTimes));
		assertThat(phases).hasSize(3 * sizes.size());
	}

	/**
	 * Runs without the library's logging (thousands of lease moves log a line each)
	 * unless {@code -Dloadmodel.logs=true}.
	 */
	private static <T> T quietly(Supplier<T> run) {
		Logger library = (Logger) LoggerFactory.getLogger("dev.kinesisboot");
		Level level = library.getLevel();
		if (!Boolean.getBoolean("loadmodel.logs")) {
			library.setLevel(Level.OFF);
		}
		try {
			return run.get();
		}
		finally {
			library.setLevel(level);
		}
	}

}
