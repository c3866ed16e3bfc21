package dev.kinesisboot.consumer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executor;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;
import dev.kinesisboot.metrics.NoOpMetricsCollector;
import dev.kinesisboot.support.Scheduler;
import dev.kinesisboot.testsupport.SimulatedKinesis;
import dev.kinesisboot.testsupport.VirtualScheduler;

import software.amazon.awssdk.core.SdkBytes;

/**
 * What the lease protocol asks of its store, measured by running the real consumer
 * ({@link KinesisConsumer}: its {@link LeaseBalancer}, readers and checkpoint writers) of
 * several workers on one virtual clock, against a {@link SimulatedKinesis} stream whose
 * every shard receives a record every poll interval and a {@link SimulatedLeaseStore}
 * that neither fails nor loses anything. Each worker's store calls pass through a
 * {@link MeteredCheckpointer}, which counts what they would cost DynamoDB.
 * <p>
 * One run of a {@link Size}: the workers start within the first seconds; once every shard
 * is read by exactly one worker and the workers' shard counts differ by at most one (an
 * even spread) at every check for a lease duration (settled), a steady window is
 * measured; then 10 % of the workers (at least one) join, and the time to an even spread
 * and the traffic until it settled (at least {@link Settings#afterWindow}) are measured;
 * then as many workers crash (no release, their leases expire), measured the same way. A
 * spread that does not settle within {@link Settings#settleLimit} is reported as such,
 * with the traffic of that time. Deterministic for a seed. Single-threaded.
 */
final class LeaseLoadModel {

	static final String APPLICATION = "orders-service";

	static final String STREAM = "orders";

	private final Settings settings;

	LeaseLoadModel(Settings settings) {
		this.settings = settings;
	}

	/**
	 * Runs one size.
	 * @param size shards and workers
	 * @return the three phases
	 */
	List<Phase> run(Size size) {
		return new Run(size).execute();
	}

	/**
	 * A stream size and a number of workers.
	 *
	 * @param shards open shards
	 * @param workers workers at the start
	 */
	record Size(int shards, int workers) {

		@Override
		public String toString() {
			return this.shards + " shards x " + this.workers + " workers";
		}

	}

	/**
	 * What the model assumes.
	 */
	static final class Settings {

		/**
		 * The consumer's options: the library's defaults unless a test says otherwise.
		 */
		ConsumerOptions options = ConsumerOptions.defaults();

		Duration leaseDuration = CheckpointerSettings.DEFAULT_LEASE_DURATION;

		/**
		 * Store latency, each way, uniform from zero: a round trip of 5 ms on average.
		 */
		Duration storeLatencyMax = Duration.ofMillis(5);

		/** Kinesis latency, each way, uniform from zero. */
		Duration kinesisLatencyMax = Duration.ofMillis(10);

		/** The workers of the start join within this time. */
		Duration startSpread = Duration.ofSeconds(5);

		/** The steady window. */
		Duration steadyWindow = Duration.ofSeconds(60);

		/** The shortest window measured after a change. */
		Duration afterWindow = Duration.ofSeconds(30);

		/** The longest wait for an even spread. */
		Duration settleLimit = Duration.ofMinutes(5);

		/** The share of workers that join, then crash. */
		double changeShare = 0.10;

		long seed = 20;

	}

	/**
	 * One measured stretch of a run.
	 *
	 * @param size the size
	 * @param name what happened before it
	 * @param liveWorkers workers alive during it
	 * @param evenAfterNanos from its start until the spread was even for good (it then
	 * stayed even for a lease duration), or {@code -1} when it was not within the limit
	 * @param settleLimitNanos the limit
	 * @param traffic the store traffic of the window
	 * @param spread the shards per worker at its end
	 * @param virtualNanos the virtual time the run had reached at its end
	 */
	record Phase(Size size, String name, int liveWorkers, long evenAfterNanos, long settleLimitNanos,
			StoreTraffic.Window traffic, Spread spread, long virtualNanos) {

		boolean settled() {
			return this.evenAfterNanos >= 0;
		}

	}

	/**
	 * Who reads which shard, from the workers' own view (their running readers).
	 *
	 * @param readShards shards read by at least one live worker
	 * @param readTwice shards read by more than one live worker
	 * @param fewest the fewest shards a live worker reads
	 * @param most the most shards a live worker reads
	 */
	record Spread(int readShards, int readTwice, int fewest, int most) {

		boolean isEven(int shards) {
			return this.readShards == shards && this.readTwice == 0 && this.most - this.fewest <= 1;
		}

		@Override
		public String toString() {
			return (this.fewest == this.most) ? Integer.toString(this.most) : this.fewest + "-" + this.most;
		}

	}

	/**
	 * The table of the phases, one row each, as Markdown.
	 * @param phases the phases
	 * @param runTimes per size, how long its run took on the machine
	 * @return the table
	 */
	static String table(List<Phase> phases, Map<Size, Duration> runTimes) {
		StringBuilder table = new StringBuilder();
		List<String> header = List.of("shards", "workers", "phase", "live", "even after (s)", "window (s)",
				"shards/worker", "Query pages/s", "GetItem/s", "take/s", "renew/s", "checkpoint/s", "release/s",
				"beat/s", "beat Query pages/s", "refused/s", "items read/s", "items written/s", "KB read/s",
				"KB written/s", "RCU/s", "WCU/s", "busiest worker calls/s", "busiest worker RCU/s",
				"busiest worker WCU/s", "hottest key RCU/s (% of 3,000)", "hottest key WCU/s (% of 1,000)",
				"Redis commands/s", "run (s)");
		table.append("| ").append(String.join(" | ", header)).append(" |\n");
		table.append("|").append(" --- |".repeat(3)).append(" ---: |".repeat(header.size() - 3)).append("\n");
		Size previous = null;
		for (Phase phase : phases) {
			StoreTraffic.Window window = phase.traffic();
			StoreTraffic.Tally total = window.total;
			List<String> cells = new ArrayList<>();
			cells.add(String.format("%,d", phase.size().shards()));
			cells.add(Integer.toString(phase.size().workers()));
			cells.add(phase.name());
			cells.add(Integer.toString(phase.liveWorkers()));
			cells.add(phase.settled() ? String.format("%.0f", phase.evenAfterNanos() / 1e9)
					: String.format("not within %.0f", phase.settleLimitNanos() / 1e9));
			cells.add(String.format("%.0f", window.seconds()));
			cells.add(phase.spread().toString());
			for (StoreTraffic.Kind kind : StoreTraffic.Kind.values()) {
				cells.add(rate(window.perSecond(total.calls(kind))));
			}
			cells.add(rate(window.perSecond(total.refused)));
			cells.add(rate(window.perSecond(total.itemsRead)));
			cells.add(rate(window.perSecond(total.itemsWritten)));
			cells.add(rate(window.perSecond(total.bytesRead) / 1024));
			cells.add(rate(window.perSecond(total.bytesWritten) / 1024));
			cells.add(rate(window.perSecond(total.readUnits)));
			cells.add(rate(window.perSecond(total.writeUnits)));
			cells.add(rate(window.busiestWorker(StoreTraffic.Tally::allCalls)));
			cells.add(rate(window.busiestWorker((tally) -> tally.readUnits)));
			cells.add(rate(window.busiestWorker((tally) -> tally.writeUnits)));
			double hotRead = window.hottestPartitionKey((tally) -> tally.readUnits);
			double hotWrite = window.hottestPartitionKey((tally) -> tally.writeUnits);
			cells.add(rate(hotRead) + String.format(" (%.0f %%)", hotRead / 30));
			cells.add(rate(hotWrite) + String.format(" (%.0f %%)", hotWrite / 10));
			cells.add(rate(window.perSecond(total.redisCommands)));
			Duration runTime = runTimes.get(phase.size());
			cells.add((!phase.size().equals(previous) && runTime != null)
					? String.format("%.1f", runTime.toMillis() / 1000.0) : "");
			previous = phase.size();
			table.append("| ").append(String.join(" | ", cells)).append(" |\n");
		}
		return table.toString();
	}

	/**
	 * What the table assumes, in words.
	 * @param settings the settings
	 * @return one assumption a line
	 */
	static String assumptions(Settings settings) {
		ConsumerOptions options = settings.options;
		LeaseTiming timing = LeaseTiming.of(settings.leaseDuration);
		String streamKey = DynamoDbLeaseItems.streamKey(APPLICATION, STREAM);
		Lease typical = new Lease("shardId-000000000000", "ip-10-0-0-1-3f9a2c1b", 1_000,
				Instant.parse("2026-01-01T00:00:10.123Z"), Checkpoint.at("4".repeat(56)));
		return String.join("\n", "Assumptions:",
				"- the real consumer of each worker (LeaseBalancer, ShardReader, ShardCheckpointer) with the library's "
						+ "default options: lease " + settings.leaseDuration.toSeconds() + " s, lease cycle every "
						+ timing.renewIntervalNanos() / 1_000_000 + " ms, poll interval "
						+ options.pollInterval().toMillis() + " ms, checkpointInterval " + options.checkpointInterval()
						+ (options.checkpointInterval().isZero() ? " (a checkpoint after every batch)"
								: " (at most one checkpoint per shard per interval)")
						+ ", mode " + options.checkpointMode() + ", initial position " + options.initialPosition(),
				"- every shard receives one record per poll interval, so every read of a caught-up reader returns a "
						+ "batch; no resharding",
				"- store round trip uniform 0-" + 2 * settings.storeLatencyMax.toMillis()
						+ " ms, whatever the request's size; no store failures, throttling or lost answers; Kinesis "
						+ "round trip 0-" + 2 * settings.kinesisLatencyMax.toMillis() + " ms",
				"- workers start within " + settings.startSpread.toSeconds() + " s; the spread is even when each "
						+ "shard is read by exactly one live worker and their shard counts differ by at most one, "
						+ "checked every virtual second; it has settled when it stayed even for a lease duration; "
						+ "'even after' is the time from the first start (steady) or from the change to the start of "
						+ "that stretch, looked for during at most " + settings.settleLimit.toSeconds() + " s",
				"- 'steady' is measured for " + settings.steadyWindow.toSeconds() + " s once settled; a change "
						+ "(10 % of the workers, at least one, join at once; then as many crash at once) is measured "
						+ "from the moment it happens until settled again, at least " + settings.afterWindow.toSeconds()
						+ " s",
				"- a crash is a halt: no release, no final checkpoint, leases expire",
				"- items as DynamoDbCheckpointer writes them for a new group: leases under '" + streamKey + "#0' to '"
						+ streamKey + "#" + (DynamoDbCheckpointer.DEFAULT_LEASE_BUCKETS - 1)
						+ "' (the shard id's bucket), heartbeats under '" + DynamoDbLeaseItems.workersKey(streamKey)
						+ "', worker ids of 20-22 characters, 56-digit sequence numbers; a held lease with a "
						+ "checkpoint is "
						+ DynamoDbLeaseItems.size(DynamoDbLeaseItems.bucketKey(streamKey, 0), typical)
						+ " bytes; the layout item each worker reads once at start is not counted",
				"- DynamoDB units: strongly consistent reads 4 KB each, a Query page (at most 1 MB) rounded up once, "
						+ "a GetItem at least 1; writes 1 KB per item rounded up, refused conditional writes included; "
						+ "a refused checkpoint adds the GetItem DynamoDbCheckpointer sends",
				"- Redis commands: a listing is SMEMBERS plus one HMGET per lease; a heartbeat (write and read "
						+ "back) is one script; every other call one command",
				"- hottest key: the partition key with the most units per second, against DynamoDB's per-partition "
						+ "limits of 3,000 RCU/s and 1,000 WCU/s",
				"- rates are per second of virtual time; 'run' is the wall time of the size's whole run on this "
						+ "machine");
	}

	private static String rate(double perSecond) {
		if (perSecond == 0) {
			return "0";
		}
		return (perSecond < 100) ? String.format("%.1f", perSecond) : String.format("%,.0f", perSecond);
	}

	private final class Run {

		private final Size size;

		private final VirtualScheduler clock;

		private final Random random;

		private final SimulatedKinesis stream;

		private final SimulatedLeaseStore store;

		private final StoreTraffic traffic;

		private final List<Worker> workers = new ArrayList<>();

		private final List<String> shardIds;

		private final SdkBytes data = SdkBytes.fromUtf8String("{\"order\":1}");

		private int workerNumber;

		/** Since when the spread has been even at every check, or {@code -1}. */
		private long evenSinceNanos = -1;

		/** The start of the first even stretch that lasted a lease duration, or -1. */
		private long settledAtNanos = -1;

		Run(Size size) {
			Settings settings = LeaseLoadModel.this.settings;
			this.size = size;
			this.random = new Random(settings.seed);
			this.clock = new VirtualScheduler(settings.seed);
			this.stream = new SimulatedKinesis(this.clock, this.random, size.shards());
			this.stream.maxLatencyNanos = settings.kinesisLatencyMax.toNanos();
			this.store = new SimulatedLeaseStore(this.random, new SimulatedLeaseStore.Observer() {

				@Override
				public void ownerChanged(String shardId, String from, String to) {
				}

				@Override
				public void checkpointStored(String workerId, String shardId, Checkpoint checkpoint) {
				}

			});
			this.store.maxLatencyNanos = settings.storeLatencyMax.toNanos();
			this.traffic = new StoreTraffic(0);
			this.shardIds = this.stream.openShardIds();
		}

		List<Phase> execute() {
			Settings settings = LeaseLoadModel.this.settings;
			every(settings.options.pollInterval(), this::feed);
			every(Duration.ofSeconds(1), this::checkSpread);
			int change = Math.max(1, (int) Math.round(this.size.workers() * settings.changeShare));
			for (int i = 0; i < this.size.workers(); i++) {
				long at = this.random.nextLong(settings.startSpread.toNanos() + 1);
				this.clock.schedule(this::join, at);
			}
			List<Phase> phases = new ArrayList<>();
			long settled = settle(0, Duration.ZERO);
			this.traffic.next(this.clock.nanoTime());
			this.clock.advance(settings.steadyWindow);
			phases.add(phase("steady", settled));
			long start = this.clock.nanoTime();
			for (int i = 0; i < change; i++) {
				join();
			}
			phases.add(phase("+" + change + " join", settle(start, settings.afterWindow)));
			start = this.clock.nanoTime();
			for (int i = 0; i < change; i++) {
				crashOne();
			}
			phases.add(phase("-" + change + " crash", settle(start, settings.afterWindow)));
			return phases;
		}

		/**
		 * Runs until the spread is even, at least for the given time, at most to the
		 * limit.
		 * @return how long after the start the spread was even, or {@code -1}
		 */
		private long settle(long start, Duration atLeast) {
			long limit = start + LeaseLoadModel.this.settings.settleLimit.toNanos();
			this.evenSinceNanos = -1;
			this.settledAtNanos = -1;
			this.clock.runUntil(() -> this.settledAtNanos >= 0 || this.clock.nanoTime() >= limit,
					Duration.ofNanos(limit));
			long evenAfter = (this.settledAtNanos >= 0) ? this.settledAtNanos - start : -1;
			long minimumEnd = start + atLeast.toNanos();
			if (this.clock.nanoTime() < minimumEnd) {
				this.clock.advance(Duration.ofNanos(minimumEnd - this.clock.nanoTime()));
			}
			return evenAfter;
		}

		private Phase phase(String name, long evenAfterNanos) {
			long now = this.clock.nanoTime();
			StoreTraffic.Window window = this.traffic.next(now);
			int live = (int) this.workers.stream().filter((worker) -> worker.alive).count();
			return new Phase(this.size, name, live, evenAfterNanos, LeaseLoadModel.this.settings.settleLimit.toNanos(),
					window, spread(), now);
		}

		private void every(Duration period, Runnable task) {
			long nanos = period.toNanos();
			this.clock.schedule(new Runnable() {

				@Override
				public void run() {
					task.run();
					Run.this.clock.schedule(this, nanos);
				}

			}, nanos);
		}

		/** One record in every shard: each read of a caught-up reader finds a batch. */
		private void feed() {
			for (String shardId : this.shardIds) {
				this.stream.putToShard(shardId, "order", this.data);
			}
		}

		private void checkSpread() {
			long now = this.clock.nanoTime();
			if (!spread().isEven(this.size.shards())) {
				this.evenSinceNanos = -1;
				return;
			}
			if (this.evenSinceNanos < 0) {
				this.evenSinceNanos = now;
			}
			// a spread that has not yet outlived a lease may still lose leases taken in
			// a cycle that ran too long
			if (this.settledAtNanos < 0
					&& now - this.evenSinceNanos >= LeaseLoadModel.this.settings.leaseDuration.toNanos()) {
				this.settledAtNanos = this.evenSinceNanos;
			}
		}

		private Spread spread() {
			Map<String, Integer> readers = new HashMap<>();
			int fewest = Integer.MAX_VALUE;
			int most = 0;
			for (Worker worker : this.workers) {
				if (!worker.alive) {
					continue;
				}
				List<ShardStatus> reading = worker.consumer.status();
				fewest = Math.min(fewest, reading.size());
				most = Math.max(most, reading.size());
				reading.forEach((status) -> readers.merge(status.shardId(), 1, Integer::sum));
			}
			int twice = (int) readers.values().stream().filter((count) -> count > 1).count();
			return new Spread(readers.size(), twice, (fewest == Integer.MAX_VALUE) ? 0 : fewest, most);
		}

		private void join() {
			Settings settings = LeaseLoadModel.this.settings;
			int number = ++this.workerNumber;
			// a host name and random suffix of the length WorkerIds.generate() gives
			String id = String.format("ip-10-0-%d-%d-%08x", number / 250, number % 250, this.random.nextInt());
			Scheduler view = this.clock.view(Duration.ZERO);
			CheckpointerSettings checkpointerSettings = CheckpointerSettings.of(APPLICATION, STREAM)
				.withWorkerId(id)
				.withLeaseDuration(settings.leaseDuration)
				.withClock(view.clock());
			MeteredCheckpointer checkpointer = new MeteredCheckpointer(
					this.store.checkpointer(checkpointerSettings, view), this.store::lease, this.traffic);
			Executor handlers = (task) -> view.schedule(task, 0);
			KinesisConsumer consumer = KinesisConsumer.builder(this.stream.client(view))
				.streamName(STREAM)
				.checkpointer(checkpointer)
				.metricsCollector(NoOpMetricsCollector.INSTANCE)
				.scheduler(view)
				.handlerExecutor(handlers)
				.options(settings.options)
				.build();
			this.workers.add(new Worker(view, consumer));
			consumer.start((record) -> {
			});
		}

		private void crashOne() {
			List<Worker> alive = this.workers.stream().filter((worker) -> worker.alive).toList();
			Worker worker = alive.get(this.random.nextInt(alive.size()));
			worker.alive = false;
			worker.consumer.haltForTesting();
			worker.view.close();
		}

	}

	private static final class Worker {

		final Scheduler view;

		final KinesisConsumer consumer;

		boolean alive = true;

		Worker(Scheduler view, KinesisConsumer consumer) {
			this.view = view;
			this.consumer = consumer;
		}

	}

}
