package dev.kinesisboot.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;
import dev.kinesisboot.consumer.LeaseLoadModel.Size;
import dev.kinesisboot.consumer.LeaseLoadModel.Spread;
import dev.kinesisboot.consumer.StoreTraffic.Kind;
import dev.kinesisboot.metrics.NoOpMetricsCollector;
import dev.kinesisboot.support.SystemScheduler;
import dev.kinesisboot.testsupport.ForwardingCheckpointer;
import dev.kinesisboot.testsupport.SimulatedKinesis;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * The {@link LeaseLoadModel}'s run, in real time against real lease stores: several
 * workers' real consumers ({@link KinesisConsumer} with its default
 * {@link SystemScheduler}, handler threads and options) in one JVM, each with its own
 * real checkpointer (DynamoDB or Redis) wrapped in the model's
 * {@link MeteredCheckpointer}, read one in-process {@link SimulatedKinesis} stream whose
 * every shard receives a record every poll interval. The stream runs on a
 * {@link SystemScheduler} of its own (one thread: the simulation is single-threaded), so
 * its answers come after a real latency. Once the spread is even and stayed even for a
 * lease duration (as in the model), a steady window is measured twice: by the metered
 * checkpointers (the model's counting) and by the server's own counters, which the
 * {@link Store} reads before and after.
 */
final class RealStoreLoadCheck {

	private final LeaseLoadModel.Settings settings;

	private final Runnable atWindowStart;

	/**
	 * A check with the model's assumptions (options, lease, Kinesis latency, start
	 * spread, steady window, settle limit, seed; the model's store latency is the real
	 * store's here).
	 * @param settings the assumptions
	 * @param atWindowStart told when the steady window starts
	 */
	RealStoreLoadCheck(LeaseLoadModel.Settings settings, Runnable atWindowStart) {
		this.settings = settings;
		this.atWindowStart = atWindowStart;
	}

	/**
	 * A lease store on a real server.
	 */
	interface Store {

		/**
		 * A checkpointer of one worker.
		 * @param settings its settings
		 * @return the checkpointer
		 */
		Checkpointer checkpointer(CheckpointerSettings settings);

		/**
		 * What the server has counted so far.
		 * @return counts by name
		 */
		Map<String, Double> serverCounts();

	}

	/**
	 * One run.
	 *
	 * @param size shards and workers
	 * @param evenAfterNanos from the first start to the start of the even stretch that
	 * lasted a lease duration, {@code -1} when not within the limit
	 * @param stayedEven whether the spread was even at every check during the window
	 * @param spread the spread at the window's end
	 * @param metered the metered checkpointers' counts of the window
	 * @param server the server's counts of the window (after minus before)
	 * @param serverSeconds the time between the two readings of the server
	 */
	record Result(Size size, long evenAfterNanos, boolean stayedEven, Spread spread, StoreTraffic.Window metered,
			Map<String, Double> server, double serverSeconds) {

		boolean settled() {
			return this.evenAfterNanos >= 0;
		}

	}

	/**
	 * Runs the workers against a store until settled, measures the steady window, closes
	 * the workers.
	 * @param size shards and workers
	 * @param store the store
	 * @return the window
	 * @throws InterruptedException when interrupted
	 */
	Result run(Size size, Store store) throws InterruptedException {
		LeaseLoadModel.Settings settings = this.settings;
		Random random = new Random(settings.seed);
		SystemScheduler streamThread = new SystemScheduler("loadcheck-kinesis");
		List<KinesisConsumer> workers = new ArrayList<>();
		try {
			SimulatedKinesis stream = new SimulatedKinesis(streamThread, random, size.shards());
			stream.maxLatencyNanos = settings.kinesisLatencyMax.toNanos();
			KinesisAsyncClient kinesis = stream.client(streamThread);
			feedEveryPollInterval(streamThread, stream);
			Map<String, Lease> stored = new ConcurrentHashMap<>();
			StoreTraffic traffic = new StoreTraffic(System.nanoTime());
			long[] starts = new long[size.workers()];
			for (int i = 0; i < starts.length; i++) {
				starts[i] = random.nextLong(settings.startSpread.toNanos() + 1);
			}
			java.util.Arrays.sort(starts);
			long first = System.nanoTime();
			for (int i = 0; i < size.workers(); i++) {
				sleepUntil(first + starts[i]);
				// a host name and random suffix of the length WorkerIds.generate() gives,
				// as in the model
				String id = String.format("ip-10-0-%d-%d-%08x", (i + 1) / 250, (i + 1) % 250, random.nextInt());
				CheckpointerSettings checkpointerSettings = CheckpointerSettings
					.of(LeaseLoadModel.APPLICATION, LeaseLoadModel.STREAM)
					.withWorkerId(id)
					.withLeaseDuration(settings.leaseDuration);
				Checkpointer checkpointer = new MeteredCheckpointer(
						new ShadowedCheckpointer(store.checkpointer(checkpointerSettings), stored), stored::get,
						traffic);
				KinesisConsumer consumer = KinesisConsumer.builder(kinesis)
					.streamName(LeaseLoadModel.STREAM)
					.checkpointer(checkpointer)
					.metricsCollector(NoOpMetricsCollector.INSTANCE)
					.options(settings.options)
					.build();
				workers.add(consumer);
				consumer.start((record) -> {
				});
			}
			long evenAfter = settle(first, size, workers);
			this.atWindowStart.run();
			long windowStart = System.nanoTime();
			traffic.next(windowStart);
			Map<String, Double> before = store.serverCounts();
			long serverStart = System.nanoTime();
			boolean stayedEven = true;
			long windowEnd = windowStart + settings.steadyWindow.toNanos();
			for (long check = windowStart + TimeUnit.SECONDS.toNanos(1); check < windowEnd; check += TimeUnit.SECONDS
				.toNanos(1)) {
				sleepUntil(check);
				stayedEven &= spread(workers).isEven(size.shards());
			}
			sleepUntil(windowEnd);
			StoreTraffic.Window metered = traffic.next(System.nanoTime());
			Map<String, Double> after = store.serverCounts();
			double serverSeconds = (System.nanoTime() - serverStart) / 1e9;
			Spread spread = spread(workers);
			Map<String, Double> server = new LinkedHashMap<>();
			after.forEach((name, count) -> server.put(name, count - before.getOrDefault(name, 0.0)));
			return new Result(size, evenAfter, stayedEven, spread, metered, server, serverSeconds);
		}
		finally {
			closeAll(workers);
			streamThread.close();
		}
	}

	/** One record in every shard each poll interval, on the stream's thread. */
	private void feedEveryPollInterval(SystemScheduler streamThread, SimulatedKinesis stream) {
		List<String> shardIds = stream.openShardIds();
		SdkBytes data = SdkBytes.fromUtf8String("{\"order\":1}");
		long period = this.settings.options.pollInterval().toNanos();
		streamThread.schedule(new Runnable() {

			private long next = System.nanoTime() + period;

			@Override
			public void run() {
				for (String shardId : shardIds) {
					stream.putToShard(shardId, "order", data);
				}
				this.next += period;
				streamThread.schedule(this, Math.max(0, this.next - System.nanoTime()));
			}

		}, period);
	}

	/**
	 * Checks the spread every second until it was even for a lease duration.
	 * @return from the first start to the start of that stretch, or {@code -1}
	 */
	private long settle(long first, Size size, List<KinesisConsumer> workers) {
		long limit = first + this.settings.settleLimit.toNanos();
		long evenSince = -1;
		for (long check = first + TimeUnit.SECONDS.toNanos(1); check < limit; check += TimeUnit.SECONDS.toNanos(1)) {
			sleepUntil(check);
			if (!spread(workers).isEven(size.shards())) {
				evenSince = -1;
				continue;
			}
			if (evenSince < 0) {
				evenSince = check;
			}
			if (check - evenSince >= this.settings.leaseDuration.toNanos()) {
				return evenSince - first;
			}
		}
		return -1;
	}

	private static Spread spread(List<KinesisConsumer> workers) {
		Map<String, Integer> readers = new HashMap<>();
		int fewest = Integer.MAX_VALUE;
		int most = 0;
		for (KinesisConsumer worker : workers) {
			List<ShardStatus> reading = worker.status();
			fewest = Math.min(fewest, reading.size());
			most = Math.max(most, reading.size());
			reading.forEach((status) -> readers.merge(status.shardId(), 1, Integer::sum));
		}
		int twice = (int) readers.values().stream().filter((count) -> count > 1).count();
		return new Spread(readers.size(), twice, (fewest == Integer.MAX_VALUE) ? 0 : fewest, most);
	}

	private static void closeAll(List<KinesisConsumer> workers) {
		CompletableFuture<?>[] closing = workers.stream()
			.map(KinesisConsumer::closeAsync)
			.toArray(CompletableFuture[]::new);
		try {
			CompletableFuture.allOf(closing).get(60, TimeUnit.SECONDS);
		}
		catch (TimeoutException ex) {
			workers.forEach(KinesisConsumer::haltForTesting);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void sleepUntil(long nanoTime) {
		long wait = nanoTime - System.nanoTime();
		if (wait <= 0) {
			return;
		}
		try {
			TimeUnit.NANOSECONDS.sleep(wait);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

	// the rows of the comparison

	static final String LEASE_QUERIES = "lease Query pages/s";

	static final String BEAT_QUERIES = "beat Query pages/s";

	static final String GET_ITEMS = "GetItem/s";

	static final String TAKES = "take/s";

	static final String RENEWALS = "renew/s";

	static final String CHECKPOINTS = "checkpoint/s";

	static final String RELEASES = "release/s";

	static final String BEATS = "beat/s";

	static final String REFUSED = "refused/s";

	static final String ITEMS_READ = "items read/s";

	static final String ITEMS_WRITTEN = "items written/s";

	static final String RCU = "RCU/s";

	static final String WCU = "WCU/s";

	static final String HOT_RCU = "hottest key RCU/s";

	static final String HOT_WCU = "hottest key WCU/s";

	static final String REDIS_COMMANDS = "Redis commands/s";

	static final String REDIS_SCRIPTS = "Redis scripts (EVALSHA, EVAL)/s";

	static final String REDIS_SMEMBERS = "Redis SMEMBERS/s";

	static final String REDIS_HMGET = "Redis HMGET/s";

	static final List<String> ROWS = List.of(LEASE_QUERIES, BEAT_QUERIES, GET_ITEMS, TAKES, RENEWALS, CHECKPOINTS,
			RELEASES, BEATS, REFUSED, ITEMS_READ, ITEMS_WRITTEN, RCU, WCU, HOT_RCU, HOT_WCU, REDIS_COMMANDS,
			REDIS_SCRIPTS, REDIS_SMEMBERS, REDIS_HMGET);

	/**
	 * The rates a metered window (of the model or of a real run) shows.
	 * @param window the window
	 * @return per row, per second
	 */
	static Map<String, Double> meteredRates(StoreTraffic.Window window) {
		StoreTraffic.Tally total = window.total;
		Map<String, Double> rates = new LinkedHashMap<>();
		rates.put(LEASE_QUERIES, window.perSecond(total.calls(Kind.QUERY)));
		rates.put(BEAT_QUERIES, window.perSecond(total.calls(Kind.BEAT_QUERY)));
		rates.put(GET_ITEMS, window.perSecond(total.calls(Kind.GET_ITEM)));
		rates.put(TAKES, window.perSecond(total.calls(Kind.TAKE)));
		rates.put(RENEWALS, window.perSecond(total.calls(Kind.RENEW)));
		rates.put(CHECKPOINTS, window.perSecond(total.calls(Kind.CHECKPOINT)));
		rates.put(RELEASES, window.perSecond(total.calls(Kind.RELEASE)));
		rates.put(BEATS, window.perSecond(total.calls(Kind.BEAT)));
		rates.put(REFUSED, window.perSecond(total.refused));
		rates.put(ITEMS_READ, window.perSecond(total.itemsRead));
		rates.put(ITEMS_WRITTEN, window.perSecond(total.itemsWritten));
		rates.put(RCU, window.perSecond(total.readUnits));
		rates.put(WCU, window.perSecond(total.writeUnits));
		rates.put(HOT_RCU, window.hottestPartitionKey((tally) -> tally.readUnits));
		rates.put(HOT_WCU, window.hottestPartitionKey((tally) -> tally.writeUnits));
		rates.put(REDIS_COMMANDS, window.perSecond(total.redisCommands));
		long scripts = total.calls(Kind.TAKE) + total.calls(Kind.RENEW) + total.calls(Kind.CHECKPOINT)
				+ total.calls(Kind.RELEASE) + total.calls(Kind.BEAT);
		// one listing is one Query per bucket (each one page at these sizes)
		double listings = (double) total.calls(Kind.QUERY) / DynamoDbCheckpointer.DEFAULT_LEASE_BUCKETS;
		rates.put(REDIS_SCRIPTS, window.perSecond(scripts));
		rates.put(REDIS_SMEMBERS, listings / window.seconds());
		rates.put(REDIS_HMGET, window.perSecond(total.redisCommands - scripts - total.calls(Kind.GET_ITEM))
				- listings / window.seconds());
		return rates;
	}

	/**
	 * The rates the DynamoDB server's answers show ({@link DynamoDbCapacityMeter}).
	 * @param counts the window's counts
	 * @param seconds the window
	 * @return per row, per second
	 */
	static Map<String, Double> dynamoDbRates(Map<String, Double> counts, double seconds) {
		Map<String, Double> rates = new LinkedHashMap<>();
		rates.put(LEASE_QUERIES, count(counts, "Query lease") / seconds);
		rates.put(BEAT_QUERIES, count(counts, "Query beat") / seconds);
		rates.put(GET_ITEMS, count(counts, "GetItem") / seconds);
		rates.put(TAKES, count(counts, "UpdateItem take") / seconds);
		rates.put(RENEWALS, count(counts, "UpdateItem renew") / seconds);
		rates.put(CHECKPOINTS, count(counts, "UpdateItem checkpoint") / seconds);
		rates.put(RELEASES, count(counts, "UpdateItem release") / seconds);
		rates.put(BEATS, (count(counts, "UpdateItem beat") + count(counts, "DeleteItem beat")) / seconds);
		rates.put(REFUSED, count(counts, "refused") / seconds);
		rates.put(ITEMS_READ, count(counts, "items read") / seconds);
		rates.put(ITEMS_WRITTEN, count(counts, "items written") / seconds);
		rates.put(RCU, count(counts, "RCU") / seconds);
		rates.put(WCU, count(counts, "WCU") / seconds);
		rates.put(HOT_RCU, hottest(counts, DynamoDbCapacityMeter.RCU_KEY) / seconds);
		rates.put(HOT_WCU, hottest(counts, DynamoDbCapacityMeter.WCU_KEY) / seconds);
		return rates;
	}

	/**
	 * The rates the Redis server's command statistics show. Commands a script runs are
	 * counted there too: the kinds of script calls are told apart by them (a renewal runs
	 * one HINCRBY, a heartbeat one HGETALL, a checkpoint one HSET and neither), which
	 * holds while nothing is taken or released.
	 * @param counts the window's counts ({@code calls} per command, {@code failed}
	 * suffixed for failed calls)
	 * @param seconds the window
	 * @return per row, per second
	 */
	static Map<String, Double> redisRates(Map<String, Double> counts, double seconds) {
		Map<String, Double> rates = new LinkedHashMap<>();
		double scripts = count(counts, "evalsha") - count(counts, "evalsha failed") + count(counts, "eval");
		double smembers = count(counts, "smembers");
		double hmget = count(counts, "hmget");
		double renewals = count(counts, "hincrby");
		double beats = count(counts, "hgetall");
		rates.put(RENEWALS, renewals / seconds);
		rates.put(CHECKPOINTS, (count(counts, "hset") - renewals - beats) / seconds);
		rates.put(BEATS, beats / seconds);
		rates.put(REDIS_COMMANDS, (scripts + smembers + hmget) / seconds);
		rates.put(REDIS_SCRIPTS, scripts / seconds);
		rates.put(REDIS_SMEMBERS, smembers / seconds);
		rates.put(REDIS_HMGET, hmget / seconds);
		return rates;
	}

	private static double count(Map<String, Double> counts, String name) {
		return counts.getOrDefault(name, 0.0);
	}

	private static double hottest(Map<String, Double> counts, String prefix) {
		return counts.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().startsWith(prefix))
			.mapToDouble(Map.Entry::getValue)
			.max()
			.orElse(0);
	}

	/**
	 * Keeps what the store holds for each shard, as far as the answers tell, so that the
	 * {@link MeteredCheckpointer} can size the items (the model asks its simulated
	 * store).
	 */
	static final class ShadowedCheckpointer extends ForwardingCheckpointer {

		private final Map<String, Lease> stored;

		ShadowedCheckpointer(Checkpointer delegate, Map<String, Lease> stored) {
			super(delegate);
			this.stored = stored;
		}

		@Override
		public CompletableFuture<List<Lease>> listLeases() {
			return delegate().listLeases().thenApply((leases) -> {
				leases.forEach((lease) -> this.stored.put(lease.shardId(), lease));
				return leases;
			});
		}

		@Override
		public CompletableFuture<Boolean> takeLease(String shardId, Lease expected) {
			return delegate().takeLease(shardId, expected).thenApply((taken) -> {
				if (taken) {
					held(shardId);
				}
				return taken;
			});
		}

		@Override
		public CompletableFuture<Boolean> renewLease(String shardId) {
			return delegate().renewLease(shardId).thenApply((renewed) -> {
				if (renewed) {
					held(shardId);
				}
				return renewed;
			});
		}

		@Override
		public CompletableFuture<Void> checkpoint(String shardId, Checkpoint checkpoint) {
			return delegate().checkpoint(shardId, checkpoint).thenApply((ok) -> {
				this.stored.compute(shardId,
						(id, old) -> (old != null)
								? new Lease(id, old.owner(), old.counter(), old.expiresAt(), checkpoint)
								: new Lease(id, workerId(), 1, clock().instant().plus(leaseDuration()), checkpoint));
				return ok;
			});
		}

		@Override
		public CompletableFuture<Void> releaseLease(String shardId) {
			return delegate().releaseLease(shardId).thenApply((ok) -> {
				this.stored.computeIfPresent(shardId,
						(id, old) -> new Lease(id, null, old.counter() + 1, null, old.checkpoint()));
				return ok;
			});
		}

		private void held(String shardId) {
			this.stored.compute(shardId,
					(id, old) -> new Lease(id, workerId(), (old != null) ? old.counter() + 1 : 1,
							clock().instant().plus(leaseDuration()),
							Optional.ofNullable(old).map(Lease::checkpoint).orElse(null)));
		}

	}

}
