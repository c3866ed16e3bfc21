package dev.kinesisboot.checkpoint;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.kinesisboot.consumer.CheckpointMover;
import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.consumer.ConsumerTestHooks;
import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.consumer.ShardStatus;
import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import dev.kinesisboot.metrics.KinesisMetrics;
import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.metrics.NoOpMetricsCollector;
import dev.kinesisboot.producer.KinesisProducer;
import dev.kinesisboot.producer.ProducerOptions;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * What every {@link Checkpointer} must do, run against each store by a subclass: the
 * conditional lease operations, manual checkpoints, metrics and namespaces on their own,
 * then consumers sharing a real (local) Kinesis stream through the store: balancing,
 * graceful hand-off, a crashed worker, a stale owner and a worker killed while records
 * flow.
 * <p>
 * The record count of the kill test is {@value #DEFAULT_RECORDS}; set the system property
 * {@code kinesisboot.contract.records} to change it.
 */
public abstract class CheckpointerContractTests {

	/** The shard the checkpointer-level tests use. */
	protected static final String SHARD = "shardId-000000000000";

	/** A lease that does not expire during a test. */
	protected static final Duration LONG_LEASE = Duration.ofMinutes(1);

	static final int DEFAULT_RECORDS = 6_000;

	/**
	 * Options for fast tests: short polls, short back-offs, short shutdown, and a
	 * checkpoint after every batch, so that a store's refusals show at once.
	 */
	protected static final ConsumerOptions OPTIONS = ConsumerOptions.builder()
		.initialPosition(InitialPosition.TRIM_HORIZON)
		.checkpointInterval(Duration.ZERO)
		.pollInterval(Duration.ofMillis(200))
		.shardRefreshInterval(Duration.ofSeconds(10))
		.errorBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
		.handlerRetryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
		.shutdownTimeout(Duration.ofSeconds(5))
		.build();

	/**
	 * Puts at a pace the local Kinesis keeps up with (it slows to a halt when flooded);
	 * {@code put} waits for room in the queue instead of failing.
	 */
	static final ProducerOptions PRODUCER_OPTIONS = ProducerOptions.builder()
		.recordsPerSecondPerShard(300)
		.maxInFlightBatches(2)
		.queueFullTimeout(Duration.ofMinutes(2))
		.build();

	private final List<KinesisConsumer> consumers = new CopyOnWriteArrayList<>();

	private final List<Checkpointer> checkpointers = new CopyOnWriteArrayList<>();

	private final Map<KinesisConsumer, KillableCheckpointer> killables = new ConcurrentHashMap<>();

	private final List<Runnable> cleanups = new CopyOnWriteArrayList<>();

	/**
	 * A checkpointer of the store under test. Checkpointers built for one test share the
	 * same store (the same server, or one in-memory store).
	 * @param settings the settings
	 * @return a new checkpointer
	 */
	protected abstract Checkpointer newCheckpointer(CheckpointerSettings settings);

	/**
	 * The store's name, for printed results.
	 * @return for example {@code redis}
	 */
	protected abstract String storeName();

	/**
	 * Whether a checkpointer built while {@link KinesisMetrics} has a default collector
	 * reports to it, labelled {@code <standalone>}, until a consumer binds it.
	 * @return {@code true} unless the store's checkpointer ignores the default collector
	 */
	protected boolean reportsToTheDefaultCollectorUntilBound() {
		return true;
	}

	@AfterEach
	void closeWorkers() {
		this.consumers.forEach(KinesisConsumer::close);
		this.checkpointers.forEach(Checkpointer::close);
		this.cleanups.forEach(Runnable::run);
		KinesisMetrics.reset();
	}

	// Checkpointer on its own

	@Test
	void takeLeaseIsExclusiveWhenTwoWorkersRaceForTheSameShards() throws Exception {
		String app = TestNames.unique("race");
		Checkpointer a = checkpointer(app, "orders", "worker-a", LONG_LEASE);
		Checkpointer b = checkpointer(app, "orders", "worker-b", LONG_LEASE);
		List<String> shards = IntStream.range(0, 20).mapToObj((i) -> String.format("shardId-%012d", i)).toList();

		Map<String, List<String>> firstTake = race(shards, a, b, (worker, shard) -> worker.takeLease(shard, null));
		assertThat(firstTake).hasSize(shards.size()).allSatisfy((shard, winners) -> assertThat(winners).hasSize(1));
		Map<String, Lease> leases = byShard(a.listLeases().join());
		shards.forEach((shard) -> assertThat(leases.get(shard).owner()).isEqualTo(firstTake.get(shard).get(0)));

		Map<String, List<String>> steal = race(shards, a, b,
				(worker, shard) -> worker.takeLease(shard, leases.get(shard)));
		assertThat(steal).hasSize(shards.size()).allSatisfy((shard, winners) -> assertThat(winners).hasSize(1));
	}

	@Test
	void renewalByAWorkerThatDoesNotHoldTheLeaseReturnsFalseAndChangesNothing() {
		String app = TestNames.unique("renew");
		Checkpointer a = checkpointer(app, "orders", "worker-a", LONG_LEASE);
		Checkpointer b = checkpointer(app, "orders", "worker-b", LONG_LEASE);
		assertThat(a.takeLease(SHARD, null).join()).isTrue();
		Lease taken = lease(a, SHARD);

		assertThat(b.renewLease(SHARD).join()).isFalse();
		assertThat(b.renewLease("shardId-000000000042").join()).isFalse();
		assertThat(lease(a, SHARD)).isEqualTo(taken);
		assertThat(a.renewLease(SHARD).join()).isTrue();
		Lease renewed = lease(a, SHARD);
		assertThat(renewed.owner()).isEqualTo("worker-a");
		assertThat(renewed.counter()).isGreaterThan(taken.counter());
		assertThat(renewed.expiresAt()).isAfterOrEqualTo(taken.expiresAt());
		assertThat(byShard(a.listLeases().join())).containsOnlyKeys(SHARD);
	}

	@Test
	void checkpointByAWorkerThatDoesNotHoldTheLeaseFailsWithLeaseLost() {
		String app = TestNames.unique("stale");
		Checkpointer a = checkpointer(app, "orders", "worker-a", LONG_LEASE);
		Checkpointer b = checkpointer(app, "orders", "worker-b", LONG_LEASE);
		assertThat(a.takeLease(SHARD, null).join()).isTrue();
		a.checkpoint(SHARD, Checkpoint.at("100")).join();

		assertThat(leaseLost(b.checkpoint(SHARD, Checkpoint.at("200"))).shardId()).isEqualTo(SHARD);
		assertThat(leaseLost(b.checkpoint("shardId-000000000042", Checkpoint.at("1"))).shardId())
			.isEqualTo("shardId-000000000042");
		assertThat(b.getCheckpoint(SHARD).join()).contains(Checkpoint.at("100"));
	}

	@Test
	void checkpointOfAnEndedShardNeverMovesBackWhenALateWriteArrives() {
		String app = TestNames.unique("ended");
		Checkpointer a = checkpointer(app, "orders", "worker-a", LONG_LEASE);
		assertThat(a.takeLease(SHARD, null).join()).isTrue();
		a.checkpoint(SHARD, Checkpoint.at("100")).join();
		a.checkpoint(SHARD, Checkpoint.SHARD_END).join();

		// an earlier write that timed out on the worker's side lands after the end
		a.checkpoint(SHARD, Checkpoint.at("100")).join();

		assertThat(a.getCheckpoint(SHARD).join()).contains(Checkpoint.SHARD_END);
		a.checkpoint(SHARD, Checkpoint.SHARD_END).join();
		assertThat(a.getCheckpoint(SHARD).join()).contains(Checkpoint.SHARD_END);
		Checkpointer b = checkpointer(app, "orders", "worker-b", LONG_LEASE);
		assertThat(leaseLost(b.checkpoint(SHARD, Checkpoint.at("1"))).shardId())
			.as("a non-owner is still refused, not told the shard ended")
			.isEqualTo(SHARD);
	}

	@Test
	void aMovedCheckpointStopsTheHoldersWritesAndWaitsForTheNextOwnerAndReopensAnEndedShard(LocalKinesis kinesis) {
		String app = TestNames.unique("move");
		String ended = "shardId-000000000009";
		Checkpointer a = checkpointer(app, "orders", "worker-a", LONG_LEASE);
		assertThat(a.takeLease(SHARD, null).join()).isTrue();
		a.checkpoint(SHARD, Checkpoint.at("500")).join();
		assertThat(a.takeLease(ended, null).join()).isTrue();
		a.checkpoint(ended, Checkpoint.SHARD_END).join();

		Checkpointer mover = checkpointer(app, "orders", "mover", LONG_LEASE);
		Map<String, Checkpoint> positions = new LinkedHashMap<>();
		positions.put(SHARD, Checkpoint.at("100"));
		positions.put(ended, Checkpoint.at("1"));
		CheckpointMover.Result result = new CheckpointMover(kinesis.client(), "orders", mover).move(positions).join();

		assertThat(result.moved()).isEqualTo(positions);
		assertThat(result.reopened()).containsExactly(ended);
		assertThat(a.renewLease(SHARD).join()).as("the holder learns at its next renewal").isFalse();
		leaseLost(a.checkpoint(SHARD, Checkpoint.at("600")));
		Lease moved = lease(mover, SHARD);
		assertThat(moved.owner()).isNull();
		assertThat(moved.checkpoint()).isEqualTo(Checkpoint.at("100"));
		Checkpointer b = checkpointer(app, "orders", "worker-b", LONG_LEASE);
		assertThat(b.takeLease(SHARD, moved).join()).isTrue();
		assertThat(b.getCheckpoint(SHARD).join()).contains(Checkpoint.at("100"));
		assertThat(b.getCheckpoint(ended).join()).as("re-opened").contains(Checkpoint.at("1"));
		assertThat(lease(b, ended).isFinished()).isFalse();
		// only the lease holder may re-open: a non-owner is refused
		leaseLost(b.reopen(ended, Checkpoint.at("2")));
	}

	@Test
	void releasedLeaseIsFreeAtOnceAndAnotherWorkerTakesItWithItsCheckpoint() {
		String app = TestNames.unique("release");
		Checkpointer a = checkpointer(app, "orders", "worker-a", LONG_LEASE);
		Checkpointer b = checkpointer(app, "orders", "worker-b", LONG_LEASE);
		assertThat(a.takeLease(SHARD, null).join()).isTrue();
		a.checkpoint(SHARD, new Checkpoint("123", 4)).join();
		a.releaseLease(SHARD).join();

		Lease released = lease(b, SHARD);
		assertThat(released.owner()).isNull();
		assertThat(released.isAvailable(b.clock().instant())).isTrue();
		assertThat(released.checkpoint()).isEqualTo(new Checkpoint("123", 4));
		assertThat(a.renewLease(SHARD).join()).isFalse();
		assertThat(b.takeLease(SHARD, released).join()).isTrue();
		assertThat(b.getCheckpoint(SHARD).join()).contains(new Checkpoint("123", 4));
		leaseLost(a.checkpoint(SHARD, Checkpoint.at("124")));
		a.releaseLease(SHARD).join();
		assertThat(lease(b, SHARD).owner()).as("a release by a non-owner changes nothing").isEqualTo("worker-b");
	}

	@Test
	void heartbeatsShowEveryWorkerOfTheGroupCountEachWorkersWritesAndGoWhenEnded() {
		String app = TestNames.unique("beat");
		Checkpointer a = checkpointer(app, "orders", "worker-a", LONG_LEASE);
		Checkpointer b = checkpointer(app, "orders", "worker-b", LONG_LEASE);
		Checkpointer otherStream = checkpointer(app, "payments", "worker-c", LONG_LEASE);
		Instant now = a.clock().instant();
		assertThat(a.beat(3, 0).join()).extracting(WorkerBeat::workerId).containsExactly("worker-a");
		otherStream.beat(1, 0).join();
		List<WorkerBeat> seenByB = b.beat(5, 2).join();
		assertThat(seenByB).extracting(WorkerBeat::workerId).containsExactlyInAnyOrder("worker-a", "worker-b");
		WorkerBeat fromA = seenByB.stream().filter((beat) -> beat.workerId().equals("worker-a")).findFirst().get();
		assertThat(fromA.leases()).isEqualTo(3);
		assertThat(fromA.changes()).isZero();
		assertThat(fromA.written()).isEqualTo(1);
		assertThat(fromA.isLive(now)).isTrue();
		assertThat(fromA.isLive(now.plus(LONG_LEASE).plusSeconds(5))).isFalse();

		List<WorkerBeat> seenByA = a.beat(4, 1).join();
		WorkerBeat own = seenByA.stream().filter((beat) -> beat.workerId().equals("worker-a")).findFirst().get();
		assertThat(own.written()).as("counted by the store").isEqualTo(2);
		assertThat(own.leases()).isEqualTo(4);
		assertThat(seenByA.stream().filter((beat) -> beat.workerId().equals("worker-b")).findFirst().get().changes())
			.isEqualTo(2);

		b.endBeat().join();
		assertThat(a.beat(4, 1).join()).extracting(WorkerBeat::workerId).containsExactly("worker-a");
		assertThat(b.beat(0, 2)
			.join()
			.stream()
			.filter((beat) -> beat.workerId().equals("worker-b"))
			.findFirst()
			.get()
			.written()).as("a new item counts from one again").isEqualTo(1);
	}

	@Test
	void expiredLeaseIsTakenByAnotherWorkerWhileAStaleReadOfItIsRefused() {
		String app = TestNames.unique("expiry");
		Duration lease = Duration.ofSeconds(1);
		Checkpointer a = checkpointer(app, "orders", "worker-a", lease);
		Checkpointer b = checkpointer(app, "orders", "worker-b", lease);
		Checkpointer c = checkpointer(app, "orders", "worker-c", lease);
		assertThat(a.takeLease(SHARD, null).join()).isTrue();
		assertThat(lease(b, SHARD).isAvailable(b.clock().instant())).isFalse();

		Lease expired = await("lease expired").atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> lease(b, SHARD), (read) -> read.isAvailable(b.clock().instant()));
		assertThat(b.takeLease(SHARD, expired).join()).isTrue();
		assertThat(c.takeLease(SHARD, expired).join()).as("take with a stale read").isFalse();
		assertThat(c.takeLease(SHARD, null).join()).as("take of an existing lease as if absent").isFalse();
		assertThat(a.renewLease(SHARD).join()).isFalse();
		leaseLost(a.checkpoint(SHARD, Checkpoint.at("1")));
		assertThat(lease(c, SHARD).owner()).isEqualTo("worker-b");
	}

	@Test
	void checkpointMetricsCountDurableWritesOnlyAndAreLabelledStandaloneUntilBound() {
		InMemoryMetricsCollector defaults = new InMemoryMetricsCollector();
		KinesisMetrics.setMetricsCollector(defaults);
		String app = TestNames.unique("metrics");
		Checkpointer a = checkpointer(app, "orders", "worker-a", LONG_LEASE);
		String notHeld = "shardId-000000000009";
		assertThat(a.takeLease(SHARD, null).join()).isTrue();
		assertThat(a.renewLease(SHARD).join()).isTrue();
		a.checkpoint(SHARD, Checkpoint.at("1")).join();
		leaseLost(a.checkpoint(notHeld, Checkpoint.at("1")));
		if (reportsToTheDefaultCollectorUntilBound()) {
			assertThat(defaults.counters()).containsOnly(
					Map.entry("consumer_checkpoint_success_total{shard_id=" + SHARD + ",stream_name=<standalone>}",
							1.0),
					Map.entry("consumer_checkpoint_failure_total{shard_id=" + notHeld + ",stream_name=<standalone>}",
							1.0));
		}

		InMemoryMetricsCollector bound = new InMemoryMetricsCollector();
		a.bindMetrics(bound, MetricLabels.stream("orders"));
		assertThat(a.renewLease(SHARD).join()).isTrue();
		a.checkpoint(SHARD, Checkpoint.at("2")).join();
		a.releaseLease(SHARD).join();
		assertThat(bound.counters()).containsOnly(
				Map.entry("consumer_checkpoint_success_total{shard_id=" + SHARD + ",stream_name=orders}", 1.0));
	}

	@Test
	void leasesOfTwoStreamsAndTwoApplicationsNeverCollide() {
		String app = TestNames.unique("app");
		String otherApp = TestNames.unique("app");
		String stream = TestNames.unique("stream");
		String otherStream = TestNames.unique("stream");
		List<Checkpointer> workers = List.of(checkpointer(app, stream, "worker-1", LONG_LEASE),
				checkpointer(app, otherStream, "worker-2", LONG_LEASE),
				checkpointer(otherApp, stream, "worker-3", LONG_LEASE));
		for (int i = 0; i < workers.size(); i++) {
			assertThat(workers.get(i).takeLease(SHARD, null).join()).isTrue();
			workers.get(i).checkpoint(SHARD, Checkpoint.at(Integer.toString(100 + i))).join();
		}
		for (int i = 0; i < workers.size(); i++) {
			Checkpointer worker = workers.get(i);
			List<Lease> leases = worker.listLeases().join();
			assertThat(leases).hasSize(1);
			assertThat(leases.get(0).owner()).isEqualTo(worker.workerId());
			assertThat(leases.get(0).checkpoint()).isEqualTo(Checkpoint.at(Integer.toString(100 + i)));
			assertThat(worker.getCheckpoint(SHARD).join()).contains(Checkpoint.at(Integer.toString(100 + i)));
		}
	}

	// Consumers sharing a stream through the store

	@Test
	void workersShareTheShardsEvenlyAndAStoppedWorkerHandsItsShardsOverAtOnce(LocalKinesis kinesis) {
		String stream = stream(kinesis, "balance", 4);
		String app = TestNames.unique("app");
		Duration lease = Duration.ofSeconds(3);
		Deliveries deliveries = new Deliveries();
		Checkpointer observer = checkpointer(app, stream, "observer", lease);
		KinesisConsumer w1 = worker(kinesis, app, stream, "w1", lease, deliveries);
		KinesisConsumer w2 = worker(kinesis, app, stream, "w2", lease, deliveries);
		awaitBalanced(4, lease, w1, w2);
		// produced once balanced: a worker that loses a shard while records flow may
		// hand out a few of them twice, which this test does not allow
		Map<String, PutResult> tips = lastPerShard(produce(kinesis, stream, "a-", 200));
		await("first records handled and checkpointed").atMost(Duration.ofSeconds(30))
			.until(() -> deliveries.distinct() == 200 && checkpointedUpTo(observer, tips));

		KinesisConsumer w3 = worker(kinesis, app, stream, "w3", lease, deliveries);
		await("a third worker gets a shard").atMost(lease.multipliedBy(4))
			.untilAsserted(() -> assertThat(owned(w3)).isNotEmpty());
		awaitBalanced(4, lease, w1, w2, w3);

		Instant expiry = observer.listLeases()
			.join()
			.stream()
			.filter((read) -> "w1".equals(read.owner()))
			.map(Lease::expiresAt)
			.min(Comparator.naturalOrder())
			.orElse(Instant.MAX);
		w1.close();
		await("the stopped worker's shards taken over").atMost(lease.multipliedBy(2))
			.pollInterval(Duration.ofMillis(50))
			.untilAsserted(() -> assertThat(shardsReadBy(w2, w3)).hasSize(4).doesNotHaveDuplicates());
		assertThat(observer.clock().instant()).as("taken over before the released leases would have expired")
			.isBefore(expiry);

		produce(kinesis, stream, "b-", 200);
		await("records after the hand-off").atMost(Duration.ofSeconds(30)).until(() -> deliveries.distinct() == 400);
		assertThat(deliveries.duplicates()).as("records read twice (graceful hand-offs re-read nothing)").isZero();
	}

	@Test
	void crashedWorkersShardsMoveOnlyOnceItsLeasesExpireAndNoRecordIsLost(LocalKinesis kinesis) {
		String stream = stream(kinesis, "crash", 4);
		String app = TestNames.unique("app");
		Duration lease = Duration.ofSeconds(2);
		Deliveries deliveries = new Deliveries();
		Checkpointer observer = checkpointer(app, stream, "observer", lease);
		KinesisConsumer w1 = worker(kinesis, app, stream, "w1", lease, deliveries);
		KinesisConsumer w2 = worker(kinesis, app, stream, "w2", lease, deliveries);
		awaitBalanced(4, lease, w1, w2);
		produce(kinesis, stream, "a-", 200);
		await("first records handled").atMost(Duration.ofSeconds(30)).until(() -> deliveries.distinct() == 200);

		Set<String> crashed = owned(w1);
		kill(w1);
		Instant expiry = observer.listLeases()
			.join()
			.stream()
			.filter((read) -> crashed.contains(read.shardId()))
			.map(Lease::expiresAt)
			.max(Comparator.naturalOrder())
			.orElseThrow();
		produce(kinesis, stream, "b-", 200);
		await("the crashed worker's shards taken over").atMost(lease.multipliedBy(5))
			.pollInterval(Duration.ofMillis(50))
			.untilAsserted(() -> assertThat(owned(w2)).hasSize(4));
		assertThat(observer.clock().instant()).as("taken over once the leases expired").isAfterOrEqualTo(expiry);
		assertThat(observer.listLeases().join()).allSatisfy((read) -> assertThat(read.owner()).isEqualTo("w2"));

		await("every record").atMost(Duration.ofSeconds(30)).until(() -> deliveries.distinct() == 400);
		System.out.printf("[%s] crash test: 400 records, %d deliveries, %d duplicates%n", storeName(),
				deliveries.total(), deliveries.duplicates());
	}

	@Test
	void staleOwnersCheckpointIsRefusedAndItsFetchLoopStops(LocalKinesis kinesis) throws Exception {
		String stream = stream(kinesis, "stale", 1);
		String app = TestNames.unique("app");
		List<PutResult> first = produce(kinesis, stream, "s-", 20);
		CountDownLatch blocked = new CountDownLatch(1);
		CountDownLatch unblock = new CountDownLatch(1);
		Deliveries deliveries = new Deliveries();
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		KinesisConsumer stale = worker(kinesis, app, stream, "stale", Duration.ofSeconds(3), metrics, (data) -> {
			if (data.equals("s-10") && blocked.getCount() > 0) {
				blocked.countDown();
				awaitQuietly(unblock);
			}
			deliveries.record(data);
		});
		assertThat(blocked.await(30, TimeUnit.SECONDS)).as("handler reached s-10").isTrue();

		// another worker takes the lease while the handler is busy, and writes its
		// own checkpoint
		Checkpointer thief = checkpointer(app, stream, "thief", LONG_LEASE);
		assertThat(lease(thief, SHARD).owner()).isEqualTo("stale");
		// conditional on the lease as read: retried if a renewal came in between
		await("lease taken from the stale worker").atMost(Duration.ofSeconds(10))
			.until(() -> thief.takeLease(SHARD, lease(thief, SHARD)).join());
		Checkpoint thiefs = Checkpoint.at(first.get(4).sequenceNumber());
		thief.checkpoint(SHARD, thiefs).join();
		unblock.countDown();

		String labels = "shard_id=" + SHARD + ",stream_name=" + stream;
		await("checkpoint refused, loop stopped").atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			assertThat(metrics.counters()).containsKey("consumer_checkpoint_failure_total{" + labels + "}")
				.containsKey("consumer_errors_total{error_type=lease_lost," + labels + "}");
			assertThat(owned(stale)).isEmpty();
		});
		assertThat(thief.getCheckpoint(SHARD).join()).contains(thiefs);

		produce(kinesis, stream, "t-", 10);
		await("no record after the loss").during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(3))
			.until(() -> deliveries.keys().stream().noneMatch((data) -> data.startsWith("t-")));
		assertThat(lease(thief, SHARD).owner()).isEqualTo("thief");
	}

	@Test
	void everyRecordArrivesAtLeastOnceWhileAWorkerIsKilledMidway(LocalKinesis kinesis) {
		int records = Integer.getInteger("kinesisboot.contract.records", DEFAULT_RECORDS);
		String stream = stream(kinesis, "kill", 4);
		String app = TestNames.unique("app");
		Duration lease = Duration.ofSeconds(2);
		Deliveries deliveries = new Deliveries();
		// checkpoints at most every 2 s (reads come every few hundred ms here), so that
		// the killed worker leaves handled but not yet checkpointed records behind, as a
		// crash does
		ConsumerOptions options = OPTIONS.toBuilder().checkpointInterval(Duration.ofSeconds(2)).build();
		List<KinesisConsumer> workers = new ArrayList<>();
		for (int i = 1; i <= 3; i++) {
			workers.add(worker(kinesis, checkpointer(app, stream, "w" + i, lease), options,
					NoOpMetricsCollector.INSTANCE, deliveries::record));
		}
		awaitBalanced(4, lease, workers.toArray(KinesisConsumer[]::new));
		long started = System.nanoTime();
		CompletableFuture<List<PutResult>> produced = CompletableFuture
			.supplyAsync(() -> produce(kinesis, stream, "r-", records));
		await("half of the records").atMost(Duration.ofMinutes(2)).until(() -> deliveries.distinct() >= records / 2);
		KinesisConsumer victim = workers.stream()
			.max(Comparator.comparingInt((KinesisConsumer worker) -> owned(worker).size()))
			.orElseThrow();
		kill(victim);
		assertThat(produced.join()).hasSize(records);
		await("every record").atMost(Duration.ofMinutes(2)).until(() -> deliveries.distinct() == records);
		assertThat(deliveries.keys()).containsAll(IntStream.range(0, records).mapToObj((i) -> "r-" + i).toList());
		System.out.printf(
				"[%s] kill test: %d records over 4 shards, 3 workers, one killed midway: %d deliveries, "
						+ "%d duplicates, %d ms%n",
				storeName(), records, deliveries.total(), deliveries.duplicates(),
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
	}

	// Helpers for subclasses and tests

	/**
	 * Settings with auto-checkpoint and the system clock.
	 * @param app the application name
	 * @param stream the stream name
	 * @param worker the worker id
	 * @param lease the lease duration
	 * @return the settings
	 */
	protected static CheckpointerSettings settings(String app, String stream, String worker, Duration lease) {
		return new CheckpointerSettings(app, stream, worker, lease, Clock.systemUTC());
	}

	/**
	 * A checkpointer of the store under test, closed after the test.
	 * @param app the application name
	 * @param stream the stream name
	 * @param worker the worker id
	 * @param lease the lease duration
	 * @return the checkpointer
	 */
	protected Checkpointer checkpointer(String app, String stream, String worker, Duration lease) {
		return register(newCheckpointer(settings(app, stream, worker, lease)));
	}

	/**
	 * Closes a checkpointer after the test.
	 * @param checkpointer the checkpointer
	 * @return the checkpointer
	 */
	protected Checkpointer register(Checkpointer checkpointer) {
		this.checkpointers.add(checkpointer);
		return checkpointer;
	}

	/**
	 * Starts a consumer with a checkpointer of the store under test; closed after the
	 * test.
	 * @param kinesis the Kinesis API
	 * @param app the application name
	 * @param stream the stream
	 * @param name the worker id
	 * @param lease the lease duration
	 * @param deliveries where the handler records what it received
	 * @return the started consumer
	 */
	protected KinesisConsumer worker(LocalKinesis kinesis, String app, String stream, String name, Duration lease,
			Deliveries deliveries) {
		return worker(kinesis, app, stream, name, lease, NoOpMetricsCollector.INSTANCE, deliveries::record);
	}

	/**
	 * Starts a consumer with a checkpointer of the store under test; closed after the
	 * test.
	 * @param kinesis the Kinesis API
	 * @param app the application name
	 * @param stream the stream
	 * @param name the worker id
	 * @param lease the lease duration
	 * @param metrics where the consumer's metrics go
	 * @param handler gets each record's data as text
	 * @return the started consumer
	 */
	protected KinesisConsumer worker(LocalKinesis kinesis, String app, String stream, String name, Duration lease,
			MetricsCollector metrics, java.util.function.Consumer<String> handler) {
		return worker(kinesis, checkpointer(app, stream, name, lease), OPTIONS, metrics, handler);
	}

	/**
	 * Starts a consumer with the given checkpointer; closed after the test.
	 * @param kinesis the Kinesis API
	 * @param checkpointer the checkpointer, for the stream to read
	 * @param options the consumer options
	 * @param metrics where the consumer's metrics go
	 * @param handler gets each record's data as text
	 * @return the started consumer
	 */
	protected KinesisConsumer worker(LocalKinesis kinesis, Checkpointer checkpointer, ConsumerOptions options,
			MetricsCollector metrics, java.util.function.Consumer<String> handler) {
		KillableCheckpointer killable = new KillableCheckpointer(checkpointer);
		KinesisConsumer consumer = KinesisConsumer.builder(kinesis.client())
			.streamName(checkpointer.streamName())
			.options(options)
			.checkpointer(killable)
			.metricsCollector(metrics)
			.build();
		this.killables.put(consumer, killable);
		this.consumers.add(consumer);
		consumer.start((record) -> handler.accept(record.dataAsString()));
		return consumer;
	}

	/**
	 * Creates a stream, deleted after the test once its consumers are closed.
	 * @param kinesis the Kinesis API
	 * @param prefix what the stream is for
	 * @param shards the shard count
	 * @return the stream name
	 */
	protected String stream(LocalKinesis kinesis, String prefix, int shards) {
		String stream = kinesis.createStream(prefix, shards);
		this.cleanups.add(() -> kinesis.deleteStream(stream));
		return stream;
	}

	/**
	 * Kills a worker as a crash would: its store operations stop at once (no heartbeat,
	 * no checkpoint, no release) and its fetch loops end.
	 * @param consumer a consumer started by one of the {@code worker} methods
	 */
	protected void kill(KinesisConsumer consumer) {
		this.killables.get(consumer).kill();
		ConsumerTestHooks.halt(consumer);
	}

	/**
	 * Puts records {@code prefix0 ... prefix(count-1)}, each with a random key, and waits
	 * until Kinesis accepted them all.
	 * @param kinesis the Kinesis API
	 * @param stream the stream
	 * @param prefix the prefix of the records' data
	 * @param count how many
	 * @return the results, in the order put
	 */
	protected static List<PutResult> produce(LocalKinesis kinesis, String stream, String prefix, int count) {
		try (KinesisProducer producer = KinesisProducer.builder(kinesis.client())
			.streamName(stream)
			.options(PRODUCER_OPTIONS)
			.build()) {
			List<CompletableFuture<PutResult>> puts = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				puts.add(producer.put(prefix + i));
			}
			producer.flush().join();
			return puts.stream().map(CompletableFuture::join).toList();
		}
	}

	/**
	 * The shards a consumer reads now.
	 * @param consumers the consumers
	 * @return their shard ids, sorted, a shard once per consumer reading it
	 */
	protected static List<String> shardsReadBy(KinesisConsumer... consumers) {
		return Stream.of(consumers)
			.flatMap((consumer) -> consumer.status().stream())
			.map(ShardStatus::shardId)
			.sorted()
			.toList();
	}

	/**
	 * Waits until the workers share the shards evenly, each shard read by one of them,
	 * and stay so for half a lease duration (longer than a lease round), so that no
	 * hand-over or take-over is under way.
	 * @param shards the shard count
	 * @param lease the lease duration
	 * @param workers the workers
	 */
	protected static void awaitBalanced(int shards, Duration lease, KinesisConsumer... workers) {
		int fewest = shards / workers.length;
		int most = (shards + workers.length - 1) / workers.length;
		await("shards balanced over " + workers.length + " workers").during(lease.dividedBy(2))
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.untilAsserted(() -> {
				assertThat(shardsReadBy(workers)).hasSize(shards).doesNotHaveDuplicates();
				for (KinesisConsumer worker : workers) {
					assertThat(owned(worker)).hasSizeBetween(fewest, most);
				}
			});
	}

	/**
	 * The shards one consumer reads now.
	 * @param consumer the consumer
	 * @return its shard ids
	 */
	protected static Set<String> owned(KinesisConsumer consumer) {
		return new TreeSet<>(shardsReadBy(consumer));
	}

	/**
	 * The stored lease of a shard.
	 * @param checkpointer any checkpointer of the stream
	 * @param shardId the shard
	 * @return the lease
	 */
	protected static Lease lease(Checkpointer checkpointer, String shardId) {
		Lease lease = byShard(checkpointer.listLeases().join()).get(shardId);
		assertThat(lease).as("lease of " + shardId).isNotNull();
		return lease;
	}

	/**
	 * Asserts that a checkpoint write failed because the lease is not held.
	 * @param write the write
	 * @return the exception
	 */
	protected static LeaseLostException leaseLost(CompletableFuture<?> write) {
		Throwable thrown = catchThrowable(write::join);
		assertThat(thrown).isInstanceOf(CompletionException.class).hasCauseInstanceOf(LeaseLostException.class);
		return (LeaseLostException) thrown.getCause();
	}

	/**
	 * The sum of a counter over its labels.
	 * @param metrics the collector
	 * @param name the counter name
	 * @return the sum
	 */
	protected static double counter(InMemoryMetricsCollector metrics, String name) {
		return metrics.counters()
			.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().startsWith(name + "{"))
			.mapToDouble(Map.Entry::getValue)
			.sum();
	}

	private static Map<String, Lease> byShard(Collection<Lease> leases) {
		Map<String, Lease> byShard = new HashMap<>();
		leases.forEach((lease) -> byShard.put(lease.shardId(), lease));
		return byShard;
	}

	/**
	 * The last record put to each shard.
	 * @param results the results of the puts
	 * @return the result with the highest sequence number, by shard id
	 */
	protected static Map<String, PutResult> lastPerShard(List<PutResult> results) {
		Map<String, PutResult> last = new HashMap<>();
		results.forEach((result) -> last.merge(result.shardId(), result, (a,
				b) -> (new BigInteger(a.sequenceNumber()).compareTo(new BigInteger(b.sequenceNumber())) >= 0) ? a : b));
		return last;
	}

	/**
	 * Whether the stored checkpoint of each shard is at its last record.
	 * @param observer any checkpointer of the stream
	 * @param tips the last record of each shard
	 * @return {@code true} when every shard is checkpointed at its tip
	 */
	protected static boolean checkpointedUpTo(Checkpointer observer, Map<String, PutResult> tips) {
		Map<String, Lease> leases = byShard(observer.listLeases().join());
		return tips.values()
			.stream()
			.allMatch((tip) -> leases.containsKey(tip.shardId())
					&& Checkpoint.at(tip.sequenceNumber()).equals(leases.get(tip.shardId()).checkpoint()));
	}

	private static Map<String, List<String>> race(List<String> shards, Checkpointer a, Checkpointer b,
			BiFunction<Checkpointer, String, CompletableFuture<Boolean>> take) throws Exception {
		Map<String, List<String>> winners = new ConcurrentHashMap<>();
		ExecutorService pool = Executors.newFixedThreadPool(2);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> runs = new ArrayList<>();
			for (Checkpointer worker : List.of(a, b)) {
				runs.add(pool.submit(() -> {
					start.await();
					List<CompletableFuture<Void>> takes = new ArrayList<>();
					for (String shard : shards) {
						takes.add(take.apply(worker, shard).thenAccept((won) -> {
							if (won) {
								winners.computeIfAbsent(shard, (key) -> new CopyOnWriteArrayList<>())
									.add(worker.workerId());
							}
						}));
					}
					CompletableFuture.allOf(takes.toArray(CompletableFuture[]::new)).join();
					return null;
				}));
			}
			start.countDown();
			for (Future<?> run : runs) {
				run.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		return winners;
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * What the handlers of a test received: how often each record.
	 */
	protected static final class Deliveries {

		private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

		private final AtomicInteger total = new AtomicInteger();

		/**
		 * Creates an empty record of deliveries.
		 */
		public Deliveries() {
		}

		/**
		 * Records one delivery.
		 * @param data the record's data
		 */
		public void record(String data) {
			this.counts.computeIfAbsent(data, (key) -> new AtomicInteger()).incrementAndGet();
			this.total.incrementAndGet();
		}

		/**
		 * Different records received.
		 * @return the count
		 */
		public int distinct() {
			return this.counts.size();
		}

		/**
		 * Deliveries, repeated ones included.
		 * @return the count
		 */
		public int total() {
			return this.total.get();
		}

		/**
		 * Deliveries of records received before.
		 * @return the count
		 */
		public int duplicates() {
			return this.total.get() - this.counts.size();
		}

		/**
		 * The records received.
		 * @return their data
		 */
		public Set<String> keys() {
			return this.counts.keySet();
		}

	}

}
