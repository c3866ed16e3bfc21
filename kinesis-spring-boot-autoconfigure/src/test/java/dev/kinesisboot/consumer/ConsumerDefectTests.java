package dev.kinesisboot.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kinesisboot.aggregation.RecordDeaggregator;
import dev.kinesisboot.checkpoint.AbstractCheckpointer;
import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.CheckpointerFactory;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.listener.ListenerErrorHandler;
import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.metrics.NoOpMetricsCollector;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.record.RecordExpander;
import dev.kinesisboot.testsupport.SimulatedKinesis;
import dev.kinesisboot.testsupport.VirtualScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One test per defect found by reading the consumer before its rebuild, each on the
 * virtual clock against the simulated stream and lease store without random faults.
 */
@Timeout(60)
class ConsumerDefectTests {

	private static final Duration LEASE = Duration.ofSeconds(10);

	private final VirtualScheduler clock = new VirtualScheduler(42);

	private final SimulatedKinesis stream = new SimulatedKinesis(this.clock, new Random(1), 1);

	private final List<Checkpoint> stored = new CopyOnWriteArrayList<>();

	private final SimulatedLeaseStore store = new SimulatedLeaseStore(new Random(2),
			new SimulatedLeaseStore.Observer() {

				@Override
				public void ownerChanged(String shardId, String from, String to) {
				}

				@Override
				public void checkpointStored(String workerId, String shardId, Checkpoint checkpoint) {
					ConsumerDefectTests.this.stored.add(checkpoint);
				}

			});

	private final AbstractCheckpointer checkpointer = this.store.checkpointer(CheckpointerSettings.of("app", "orders")
		.withWorkerId("w1")
		.withLeaseDuration(LEASE)
		.withClock(this.clock.clock()), this.clock);

	private final List<String> handled = new ArrayList<>();

	@Test
	void theLastBatchOfAClosedShardIsNotMarkedEndedWhenTheReaderStopsBeforeHandlingIt() {
		put(3);
		this.stream.splitRandomShard();
		AtomicBoolean failing = new AtomicBoolean(true);
		KinesisConsumer consumer = consumer(ConsumerOptions.builder(), Runnable::run);
		consumer.start((record) -> {
			if (failing.get()) {
				throw new IllegalStateException("not yet");
			}
			this.handled.add(record.dataAsString());
		});
		// the handler fails, so the shard's last batch waits between retries
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.handled).isEmpty();
		CompletableFuture<Void> closed = consumer.closeAsync();
		this.clock.runUntil(closed::isDone, Duration.ofMinutes(5));
		assertThat(closed).isDone();
		// before the fix: SHARD_END was written and the three records were lost
		assertThat(this.stored).doesNotContain(Checkpoint.SHARD_END);
		assertThat(this.store.lease("shardId-000000000000").checkpoint()).isNull();
	}

	@Test
	void aLeaseThatCannotBeRenewedStopsItsReaderBeforeItCouldExpire() {
		put(2);
		KinesisConsumer consumer = consumer(ConsumerOptions.builder(), Runnable::run);
		consumer.start((record) -> this.handled.add(record.dataAsString()));
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.handled).containsExactly("k#1", "k#2");
		assertThat(consumer.status()).hasSize(1);
		// every store call fails from now on: renewals throw instead of answering false
		this.store.down = true;
		long downAt = this.clock.nanoTime();
		this.clock.runUntil(() -> consumer.status().isEmpty(), Duration.ofNanos(downAt).plus(LEASE));
		assertThat(consumer.status()).isEmpty();
		long stoppedAfter = this.clock.nanoTime() - downAt;
		// stopped before the lease could expire for another worker (minus the skew
		// margin)
		assertThat(stoppedAfter).isLessThanOrEqualTo(LEASE.toNanos() * 3 / 4);
		put(1);
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.handled).containsExactly("k#1", "k#2");
	}

	@Test
	void recordModeStartsNoRecordOnceItsShardWasAskedToStop() {
		StreamContext context = context(ConsumerOptions.defaults());
		List<String> seen = new ArrayList<>();
		StoppableShard shard = new StoppableShard();
		HandlerDispatcher dispatcher = HandlerDispatcher.forRecords(context, (record) -> {
			seen.add(record.dataAsString());
			// the lease is lost while the first record is being handled
			shard.stopRequested = true;
		}, ConsumerErrorHandler.retryForever(), Runnable::run);
		CompletableFuture<Void> done = dispatcher.dispatch(shard, records(5));
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(seen).containsExactly("k#1");
		assertThat(done).isCompletedExceptionally();
	}

	@Test
	void anErrorThrownByAHandlerIsRetriedInsteadOfStallingTheShard() {
		StreamContext context = context(ConsumerOptions.defaults());
		AtomicInteger calls = new AtomicInteger();
		HandlerDispatcher dispatcher = HandlerDispatcher.forRecords(context, (record) -> {
			if (calls.incrementAndGet() == 1) {
				throw new StackOverflowError("deep");
			}
		}, ConsumerErrorHandler.retryForever(), Runnable::run);
		CompletableFuture<Void> done = dispatcher.dispatch(new StoppableShard(), records(2));
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(done).isCompleted();
		assertThat(calls).hasValue(3);
	}

	@Test
	void aBatchThatCouldNotBeHandedOverIsHandedOverAgainInsteadOfSkipped() {
		put(3);
		AtomicInteger tasks = new AtomicInteger();
		// the first hand-over is refused (a full or shut-down pool), later ones run
		Executor flaky = (task) -> {
			if (tasks.incrementAndGet() == 1) {
				throw new RejectedExecutionException("pool full");
			}
			task.run();
		};
		KinesisConsumer consumer = consumer(
				ConsumerOptions.builder().maxRecordsPerCall(3).checkpointInterval(Duration.ZERO), flaky);
		consumer.start((record) -> this.handled.add(record.dataAsString()));
		this.clock.advance(Duration.ofSeconds(5));
		put(1);
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.handled).containsExactly("k#1", "k#2", "k#3", "k#4");
		assertThat(this.stored).last().isEqualTo(Checkpoint.at(seq(4)));
		close(consumer);
	}

	@Test
	void aStopDuringTheBackOffOfARefusedHandOverEndsTheReaderAtOnce() {
		put(2);
		Executor refusing = (task) -> {
			throw new RejectedExecutionException("pool shut down");
		};
		KinesisConsumer consumer = consumer(ConsumerOptions.builder()
			.errorBackoff(Duration.ofSeconds(20), Duration.ofSeconds(20))
			.shutdownTimeout(Duration.ofSeconds(30)), refusing);
		consumer.start((record) -> this.handled.add(record.dataAsString()));
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(consumer.status()).singleElement()
			.extracting(ShardStatus::state)
			.isEqualTo(ShardStatus.State.RETRYING);

		long start = this.clock.nanoTime();
		CompletableFuture<Void> closed = consumer.closeAsync();
		this.clock.runUntil(closed::isDone, Duration.ofMinutes(5));
		assertThat(closed).isDone();
		// before the fix the reader ended only when its retry came due, 10 to 20 s later
		assertThat(Duration.ofNanos(this.clock.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
		assertThat(this.handled).isEmpty();
		assertThat(this.store.lease("shardId-000000000000").checkpoint()).isNull();
	}

	@Test
	void aPausedConsumerFetchesNothingButKeepsItsLeasesAndResumesWhereItStopped() {
		put(2);
		KinesisConsumer consumer = consumer(ConsumerOptions.builder(), Runnable::run);
		consumer.start((record) -> this.handled.add(record.dataAsString()));
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.handled).containsExactly("k#1", "k#2");

		consumer.pause();
		put(2);
		// several lease durations: nothing read, and the lease stays this worker's
		this.clock.advance(LEASE.multipliedBy(3));
		assertThat(consumer.isPaused()).isTrue();
		assertThat(this.handled).containsExactly("k#1", "k#2");
		assertThat(this.store.lease("shardId-000000000000").owner()).isEqualTo("w1");
		assertThat(consumer.status()).hasSize(1);

		consumer.resume();
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.handled).containsExactly("k#1", "k#2", "k#3", "k#4");
		close(consumer);
	}

	@Test
	void recordsHandledBeforeAFailingOneInTheSameReadAreNotDeliveredAgainAfterAStop() {
		put(3);
		KinesisConsumer consumer = consumer(ConsumerOptions.builder().maxRecordsPerCall(3), Runnable::run);
		consumer.start((record) -> {
			if (record.dataAsString().equals("k#2")) {
				throw new IllegalStateException("k#2 cannot be handled yet");
			}
			this.handled.add(record.dataAsString());
		});
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.handled).containsExactly("k#1");
		close(consumer);

		// before the fix the read was checkpointed only once it passed whole: k#1 came
		// again to the next reader
		assertThat(this.store.lease("shardId-000000000000").checkpoint()).isEqualTo(Checkpoint.at(seq(1)));
		KinesisConsumer next = consumer(ConsumerOptions.builder().maxRecordsPerCall(3), Runnable::run);
		next.start((record) -> this.handled.add(record.dataAsString()));
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.handled).containsExactly("k#1", "k#2", "k#3");
		close(next);
	}

	@Test
	void pollReturnsNoRecordOfAShardWhoseLeaseWasLost() {
		put(3);
		KinesisConsumer consumer = consumer(ConsumerOptions.builder(), Runnable::run);
		assertThat(consumer.poll(Duration.ZERO)).isEmpty();
		this.clock.advance(Duration.ofSeconds(2));
		// another worker takes the lease: the next renewal is refused and the reader
		// stops
		this.store.assign("shardId-000000000000", "w2");
		this.clock.advance(Duration.ofMillis(LEASE.toMillis() / 3 + 100));
		assertThat(consumer.status()).isEmpty();
		assertThat(consumer.poll(Duration.ZERO)).isEmpty();
		close(consumer);
	}

	@Test
	void closeDoesNotWaitForRecordsLeftInThePollHandOff() {
		put(3);
		KinesisConsumer consumer = consumer(ConsumerOptions.builder().shutdownTimeout(Duration.ofSeconds(30)),
				Runnable::run);
		assertThat(consumer.poll(Duration.ZERO)).isEmpty();
		this.clock.advance(Duration.ofSeconds(2));
		long start = this.clock.nanoTime();
		CompletableFuture<Void> closed = consumer.closeAsync();
		this.clock.runUntil(closed::isDone, Duration.ofMinutes(5));
		assertThat(closed).isDone();
		// before the fix it waited the whole shutdown timeout
		assertThat(Duration.ofNanos(this.clock.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
		assertThat(this.store.lease("shardId-000000000000").owner()).isNull();
	}

	@Test
	void aReaderIsNotReportedStoppedWhileItHandsABatchOver() {
		put(2);
		StreamContext context = context(
				ConsumerOptions.builder().initialPosition(InitialPosition.TRIM_HORIZON).build());
		ShardReader[] reader = new ShardReader[1];
		List<Boolean> stoppedAtDispatch = new ArrayList<>();
		Dispatcher recording = (shard, records) -> {
			stoppedAtDispatch.add(reader[0].whenStopped().isDone());
			return CompletableFuture.failedFuture(new ShardStoppedException(shard.shardId()));
		};
		RecordExpander stoppingExpander = (streamName, shardId, record) -> {
			// the lease is lost between the reader's stop check and its hand-over
			reader[0].stop(null);
			return new RecordDeaggregator().expand(streamName, shardId, record);
		};
		StreamContext expanding = new StreamContext(context.streamName(), null, context.client(), context.options(),
				context.metrics(), this.clock, stoppingExpander);
		this.checkpointer.takeLease("shardId-000000000000", null);
		this.clock.advance(Duration.ofSeconds(1));
		reader[0] = new ShardReader(expanding, "shardId-000000000000", this.checkpointer, recording,
				new ShardPositions(expanding.options(), false),
				(positions) -> new PollingSource(expanding, "shardId-000000000000", positions, () -> 1),
				LeaseTiming.of(LEASE), new ShardProgress(), () -> {
				});
		reader[0].start();
		this.clock.advance(Duration.ofSeconds(5));
		// before the fix the reader completed its stop (and its lease could be released)
		// before the batch went to the dispatcher
		assertThat(stoppedAtDispatch).containsExactly(false);
		assertThat(reader[0].whenStopped()).isDone();
	}

	@Test
	void twoConsumersOfOneStreamAndGroupInOneProcessShareItsShards() {
		SimulatedKinesis twoShards = new SimulatedKinesis(this.clock, new Random(3), 2);
		CheckpointerFactory factory = CheckpointerFactory.memory(LEASE);
		List<KinesisConsumer> consumers = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			KinesisConsumer consumer = KinesisConsumer.builder(twoShards.client(this.clock))
				.streamName("orders")
				.checkpointer(factory.create("app", "orders"))
				.metricsCollector(NoOpMetricsCollector.INSTANCE)
				.scheduler(this.clock)
				.handlerExecutor(Runnable::run)
				.build();
			consumer.start((record) -> {
			});
			consumers.add(consumer);
			this.clock.advance(Duration.ofSeconds(1));
		}
		this.clock.advance(Duration.ofSeconds(30));
		// before the fix both had one worker id: each read both shards
		assertThat(consumers.get(0).checkpointer().workerId()).isNotEqualTo(consumers.get(1).checkpointer().workerId());
		assertThat(consumers).allSatisfy((consumer) -> assertThat(consumer.status()).hasSize(1));
		consumers.forEach(this::close);
	}

	@Test
	void perShardGaugesEndWithTheReaderOfTheShard() {
		put(2);
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		KinesisConsumer consumer = builder(this.stream.client(this.clock)).metricsCollector(metrics)
			.options(ConsumerOptions.builder().initialPosition(InitialPosition.TRIM_HORIZON).build())
			.build();
		consumer.start((record) -> {
		});
		this.clock.advance(Duration.ofSeconds(3));
		String lag = "consumer_iterator_age_milliseconds{shard_id=shardId-000000000000,stream_name=orders}";
		assertThat(metrics.gauges()).containsKey(lag);
		this.store.assign("shardId-000000000000", "w2");
		this.clock.advance(LEASE);
		assertThat(consumer.status()).isEmpty();
		// before the fix the gauge stayed, frozen, next to the new owner's
		assertThat(metrics.gauges()).doesNotContainKey(lag)
			.doesNotContainKey("consumer_lag_records{shard_id=shardId-000000000000,stream_name=orders}");
		close(consumer);
	}

	@Test
	void manualModeStoresOnlyAcknowledgedPositionsAndFlushesTheLastOneOnClose() {
		put(3);
		KinesisConsumer[] consumer = new KinesisConsumer[1];
		consumer[0] = consumer(ConsumerOptions.builder().checkpointMode(CheckpointMode.MANUAL), Runnable::run);
		consumer[0].start((record) -> {
			this.handled.add(record.dataAsString());
			if (record.dataAsString().equals("k#2")) {
				consumer[0].acknowledge(record);
			}
		});
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.handled).containsExactly("k#1", "k#2", "k#3");
		assertThat(this.stored).containsExactly(Checkpoint.at(seq(2)));
		close(consumer[0]);
		assertThat(this.store.lease("shardId-000000000000").checkpoint()).isEqualTo(Checkpoint.at(seq(2)));
	}

	@Test
	void aLostLeaseInManualModeNeitherBlocksOtherShardsNorLeavesAStaleCheckpoint() {
		SimulatedKinesis twoShards = new SimulatedKinesis(this.clock, new Random(3), 2);
		String lost = "shardId-000000000000";
		String kept = "shardId-000000000001";
		List<String> keys = keysFor(twoShards, lost, kept);
		KinesisConsumer[] consumer = new KinesisConsumer[1];
		List<KinesisRecord<byte[]>> ofLost = new ArrayList<>();
		consumer[0] = builder(twoShards.client(this.clock))
			.options(ConsumerOptions.builder()
				.initialPosition(InitialPosition.TRIM_HORIZON)
				.checkpointMode(CheckpointMode.MANUAL)
				.build())
			.build();
		consumer[0].start((record) -> {
			this.handled.add(record.dataAsString());
			if (record.shardId().equals(lost)) {
				ofLost.add(record);
			}
			consumer[0].acknowledge(record);
		});
		twoShards.put(keys.get(0), "a1");
		twoShards.put(keys.get(1), "b1");
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.handled).containsExactlyInAnyOrder("a1", "b1");
		// another worker takes one shard; this one learns it at its next renewal
		this.store.assign(lost, "w2");
		this.clock.advance(LEASE);
		assertThat(consumer[0].status()).extracting(ShardStatus::shardId).containsExactly(kept);
		// acknowledging a record of the lost shard neither fails nor writes anything
		CompletableFuture<Void> late = consumer[0].acknowledge(ofLost.get(0));
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(late).isCompleted();
		twoShards.put(keys.get(1), "b2");
		this.clock.advance(Duration.ofSeconds(5));
		// before the fix every later acknowledgement failed on the lost shard's buffered
		// checkpoint, so the listener retried for ever
		assertThat(this.handled).containsExactlyInAnyOrder("a1", "b1", "b2");
		assertThat(this.store.lease(kept).checkpoint())
			.isEqualTo(Checkpoint.at(twoShards.records(kept).get(1).sequenceNumber()));
		assertThat(this.store.lease(lost).checkpoint())
			.isEqualTo(Checkpoint.at(twoShards.records(lost).get(0).sequenceNumber()));
		close(consumer[0]);
	}

	private static List<String> keysFor(SimulatedKinesis stream, String first, String second) {
		String forFirst = null;
		String forSecond = null;
		for (int i = 0; forFirst == null || forSecond == null; i++) {
			String key = "key-" + i;
			boolean low = SimulatedKinesis.hash(key).compareTo(SimulatedKinesis.MAX_HASH.shiftRight(1)) <= 0;
			if (low && forFirst == null) {
				forFirst = key;
			}
			else if (!low && forSecond == null) {
				forSecond = key;
			}
		}
		return List.of(forFirst, forSecond);
	}

	@Test
	void aNewOwnerOfAShardReadFromTheTipResumesWhereTheGroupBeganReadingIt() {
		KinesisConsumer first = consumer(ConsumerOptions.builder(), Runnable::run, InitialPosition.LATEST);
		first.start((record) -> this.handled.add("first " + record.dataAsString()));
		this.clock.advance(Duration.ofSeconds(3));
		close(first);
		// arrives while no worker reads the shard
		put(1);
		this.clock.advance(Duration.ofSeconds(1));
		KinesisConsumer second = consumer(ConsumerOptions.builder(), Runnable::run, InitialPosition.LATEST);
		second.start((record) -> this.handled.add("second " + record.dataAsString()));
		this.clock.advance(Duration.ofSeconds(5));
		// before the fix the new owner started at the tip again and skipped it
		assertThat(this.handled).containsExactly("second k#1");
		close(second);
	}

	@Test
	void aWorkerResumesFromWhatItHandledWhenTheStoreForgetsItsLeases() {
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		KinesisConsumer consumer = builder(this.stream.client(this.clock)).metricsCollector(metrics)
			.options(ConsumerOptions.builder().initialPosition(InitialPosition.LATEST).build())
			.build();
		consumer.start((record) -> this.handled.add(record.dataAsString()));
		this.clock.advance(Duration.ofSeconds(3));
		put(2);
		this.clock.advance(Duration.ofSeconds(3));
		assertThat(this.handled).containsExactly("k#1", "k#2");
		// the store restarts without persistence; records keep coming
		this.store.forget();
		put(1);
		this.clock.advance(LEASE.multipliedBy(2));
		put(1);
		this.clock.advance(Duration.ofSeconds(5));
		// before the fix the worker lost its lease, took it again with no checkpoint and
		// started at the tip: k#3 was skipped
		assertThat(this.handled).containsExactly("k#1", "k#2", "k#3", "k#4");
		assertThat(consumer.leaseStoreResetAt()).isPresent();
		assertThat(metrics.counters()).containsKey(
				"consumer_errors_total{error_type=lease_store_reset,shard_id=shardId-000000000000,stream_name=orders}");
		assertThat(this.store.lease("shardId-000000000000").checkpoint()).isEqualTo(Checkpoint.at(seq(4)));
		close(consumer);
	}

	@Test
	void aShardIsNotReadAgainByItsWorkerWhileTheReaderThatLostItStillHandlesRecords() {
		put(3);
		List<String> opens = new ArrayList<>();
		this.stream.trace = opens::add;
		List<Runnable> parked = new ArrayList<>();
		// a handler thread that is busy: the batch waits until the test runs it
		KinesisConsumer consumer = consumer(ConsumerOptions.builder(), parked::add);
		consumer.start((record) -> this.handled.add(record.dataAsString()));
		this.clock.advance(Duration.ofSeconds(3));
		assertThat(parked).hasSize(1);
		// renewals fail until the watchdog stops the reader; its batch is still pending
		this.store.down = true;
		this.clock.advance(LEASE);
		this.store.down = false;
		this.clock.advance(LEASE);
		// before the fix the worker took its own lease again and started a second reader
		// while the first one still had a batch in a handler
		assertThat(opens).hasSize(1);
		assertThat(parked).hasSize(1);
		parked.remove(0).run();
		this.clock.advance(LEASE);
		parked.forEach(Runnable::run);
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(this.handled).containsExactly("k#1", "k#2", "k#3");
		assertThat(opens).hasSize(2);
	}

	@Test
	void processingTimeIsMeasuredOnTheInjectedClock() {
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		StreamContext context = new StreamContext("orders", null, this.stream.client(this.clock),
				ConsumerOptions.defaults(), metrics, this.clock, new RecordDeaggregator());
		HandlerDispatcher dispatcher = HandlerDispatcher.forRecords(context, (record) -> {
		}, ConsumerErrorHandler.retryForever(), Runnable::run);
		dispatcher.dispatch(new StoppableShard(), records(2));
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(metrics.histograms().values()).singleElement().asList().containsExactly(0.0, 0.0);
	}

	@Test
	void aFailingDeadLetterSendIsRetriedWithoutRunningTheListenerAgainAndTheStallShows() {
		put(3);
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		AtomicInteger calls = new AtomicInteger();
		List<String> deadLettered = new CopyOnWriteArrayList<>();
		AtomicBoolean deadLetterDown = new AtomicBoolean(true);
		KinesisConsumer consumer = builder(this.stream.client(this.clock)).metricsCollector(metrics)
			.errorHandler(new ListenerErrorHandler(3, (record, error, attempts) -> {
				if (deadLetterDown.get()) {
					return CompletableFuture
						.failedFuture(new IllegalStateException("dead-letter stream 'orders-dlq' not found"));
				}
				deadLettered.add(record.dataAsString());
				return CompletableFuture.completedFuture(null);
			}))
			.options(ConsumerOptions.builder().initialPosition(InitialPosition.TRIM_HORIZON).build())
			.build();
		consumer.start((record) -> {
			if (record.dataAsString().equals("k#2")) {
				calls.incrementAndGet();
				throw new IllegalStateException("poison");
			}
			this.handled.add(record.dataAsString());
		});
		this.clock.advance(Duration.ofMinutes(2));
		// before the fix: the listener ran again on every failed dead-letter send
		assertThat(calls).hasValue(3);
		assertThat(this.handled).containsExactly("k#1");
		ShardStatus status = consumer.status().get(0);
		assertThat(status.state()).isEqualTo(ShardStatus.State.RETRYING);
		assertThat(status.consecutiveErrors()).isGreaterThan(3);
		assertThat(status.lastError()).contains("orders-dlq");
		assertThat(metrics.counters()).hasEntrySatisfying(
				"consumer_errors_total{error_type=recovery,shard_id=shardId-000000000000,stream_name=orders}",
				(count) -> assertThat(count).isGreaterThan(3));
		assertThat(this.store.lease("shardId-000000000000").checkpoint()).isEqualTo(Checkpoint.at(seq(1)));

		deadLetterDown.set(false);
		this.clock.advance(Duration.ofMinutes(2));
		assertThat(calls).hasValue(3);
		assertThat(deadLettered).containsExactly("k#2");
		assertThat(this.handled).containsExactly("k#1", "k#3");
		assertThat(consumer.status().get(0).consecutiveErrors()).isZero();
		assertThat(consumer.status().get(0).state()).isEqualTo(ShardStatus.State.RUNNING);
		close(consumer);
	}

	@Test
	void aDeadLetterSendThatFailsPartWayThroughABatchDoesNotSendTheEarlierRecordsAgain() {
		StreamContext context = context(ConsumerOptions.defaults());
		List<String> sent = new ArrayList<>();
		AtomicBoolean failOnce = new AtomicBoolean(true);
		HandlerDispatcher dispatcher = HandlerDispatcher.forBatches(context, (records) -> {
			throw new IllegalStateException("the whole batch fails");
		}, new ListenerErrorHandler(1, (record, error, attempts) -> {
			if (record.dataAsString().equals("k#3") && failOnce.getAndSet(false)) {
				return CompletableFuture.failedFuture(new IllegalStateException("send of k#3 timed out"));
			}
			sent.add(record.dataAsString());
			return CompletableFuture.completedFuture(null);
		}), Runnable::run);
		CompletableFuture<Void> done = dispatcher.dispatch(new StoppableShard(), records(5));
		this.clock.advance(Duration.ofSeconds(30));
		assertThat(done).isCompleted();
		// before the fix: k#1 and k#2 went to the dead-letter stream twice
		assertThat(sent).containsExactly("k#1", "k#2", "k#3", "k#4", "k#5");
	}

	@Test
	void aBatchHandlerThatNamesItsFailedRecordHasTheOnesBeforeItHandledAndOnlyThatOneRecovered() {
		StreamContext context = context(ConsumerOptions.defaults());
		List<List<String>> batches = new ArrayList<>();
		List<String> recovered = new ArrayList<>();
		HandlerDispatcher dispatcher = HandlerDispatcher.forBatches(context, (records) -> {
			List<String> data = records.stream().map(KinesisRecord::dataAsString).toList();
			batches.add(data);
			if (data.contains("k#3")) {
				throw new BatchListenerFailedException("k#3 is bad", new IllegalStateException("bad amount"),
						data.indexOf("k#3"));
			}
		}, new ListenerErrorHandler(2, (record, error, attempts) -> {
			recovered.add(record.dataAsString() + " after " + attempts + ": " + error.getMessage());
			return CompletableFuture.completedFuture(null);
		}), Runnable::run);
		StoppableShard shard = new StoppableShard();
		CompletableFuture<Void> done = dispatcher.dispatch(shard, records(5));
		this.clock.advance(Duration.ofSeconds(30));
		assertThat(done).isCompleted();
		// before the fix the whole batch was retried and then all five were recovered
		assertThat(batches).containsExactly(List.of("k#1", "k#2", "k#3", "k#4", "k#5"), List.of("k#3", "k#4", "k#5"),
				List.of("k#4", "k#5"));
		assertThat(recovered).containsExactly("k#3 after 2: bad amount");
		assertThat(shard.handledUpTo).containsExactly("k#2", "k#3");
	}

	@Test
	void aBatchThatFailsAsAWholeIsRecoveredRecordByRecordAfterItsAttempts() {
		StreamContext context = context(ConsumerOptions.defaults());
		AtomicInteger calls = new AtomicInteger();
		List<String> recovered = new ArrayList<>();
		HandlerDispatcher dispatcher = HandlerDispatcher.forBatches(context, (records) -> {
			calls.incrementAndGet();
			throw new IllegalStateException("down");
		}, new ListenerErrorHandler(3, (record, error, attempts) -> {
			recovered.add(record.dataAsString());
			return CompletableFuture.completedFuture(null);
		}), Runnable::run);
		CompletableFuture<Void> done = dispatcher.dispatch(new StoppableShard(), records(3));
		this.clock.advance(Duration.ofSeconds(30));
		assertThat(done).isCompleted();
		assertThat(calls).hasValue(3);
		assertThat(recovered).containsExactly("k#1", "k#2", "k#3");
	}

	@Test
	void aRecovererThatNeverAnswersIsTriedAgainAfterItsTimeoutInsteadOfHangingTheShard() {
		StreamContext context = context(ConsumerOptions.defaults());
		AtomicInteger recoveries = new AtomicInteger();
		HandlerDispatcher dispatcher = HandlerDispatcher.forRecords(context, (record) -> {
			throw new IllegalStateException("poison");
		}, new ListenerErrorHandler(1, (record, error, attempts) -> (recoveries.incrementAndGet() == 1)
				? new CompletableFuture<>() : CompletableFuture.completedFuture(null)), Runnable::run);
		CompletableFuture<Void> done = dispatcher.dispatch(new StoppableShard(), records(1));
		this.clock.advance(Duration.ofMinutes(1));
		assertThat(done).isNotDone();
		this.clock.advance(Duration.ofMinutes(5));
		assertThat(done).isCompleted();
		assertThat(recoveries).hasValue(2);
	}

	@Test
	void aBatchAttemptCountsOnlyFailuresOfTheSameRecordOrBatch() {
		StreamContext context = context(ConsumerOptions.defaults());
		AtomicInteger calls = new AtomicInteger();
		List<String> recovered = new ArrayList<>();
		List<String> handled = new ArrayList<>();
		HandlerDispatcher dispatcher = HandlerDispatcher.forBatches(context, (records) -> {
			int call = calls.incrementAndGet();
			if (call <= 2) {
				throw new BatchListenerFailedException("k#2", null,
						records.stream().map(KinesisRecord::dataAsString).toList().indexOf("k#2"));
			}
			if (call == 3) {
				throw new IllegalStateException("the whole batch failed once");
			}
			records.forEach((record) -> handled.add(record.dataAsString()));
		}, new ListenerErrorHandler(3, (record, error, attempts) -> {
			recovered.add(record.dataAsString());
			return CompletableFuture.completedFuture(null);
		}), Runnable::run);
		CompletableFuture<Void> done = dispatcher.dispatch(new StoppableShard(), records(3));
		this.clock.advance(Duration.ofMinutes(1));
		assertThat(done).isCompleted();
		// k#2 failed twice by name, then [k#2, k#3] failed once as a whole: that is the
		// batch's first attempt, not its third, so nothing is given up on
		assertThat(recovered).isEmpty();
		assertThat(handled).containsExactly("k#2", "k#3");
	}

	@Test
	void inManualModeARecoveredLastRecordOfAClosedShardLetsItsEndBeWritten() {
		put(2);
		this.stream.splitRandomShard();
		KinesisConsumer consumer = builder(this.stream.client(this.clock))
			.errorHandler(
					new ListenerErrorHandler(1, (record, error, attempts) -> CompletableFuture.completedFuture(null)))
			.options(ConsumerOptions.builder()
				.initialPosition(InitialPosition.TRIM_HORIZON)
				.checkpointMode(CheckpointMode.MANUAL)
				.build())
			.build();
		AtomicBoolean acknowledgedFirst = new AtomicBoolean();
		consumer.start((record) -> {
			if (record.dataAsString().equals("k#2")) {
				throw new IllegalStateException("poison");
			}
			consumer.acknowledge(record);
			acknowledgedFirst.set(true);
		});
		this.clock.advance(Duration.ofSeconds(30));
		assertThat(acknowledgedFirst).isTrue();
		// before the fix the recovered k#2 was never acknowledged, so SHARD_END waited
		// for
		// ever and the child shards never started
		assertThat(this.stored).contains(Checkpoint.SHARD_END);
		close(consumer);
	}

	@Test
	void aCheckpointMovedBackWhileTheConsumerRunsIsReadFromInsteadOfWhatTheWorkerRemembers() {
		put(3);
		KinesisConsumer consumer = consumer(ConsumerOptions.builder(), Runnable::run);
		consumer.start((record) -> this.handled.add(record.dataAsString()));
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.handled).containsExactly("k#1", "k#2", "k#3");

		CompletableFuture<CheckpointMover.Result> moved = moveAll(CheckpointMover.Target.trimHorizon());
		assertThat(moved.join().moved()).containsOnlyKeys("shardId-000000000000");
		this.clock.advance(Duration.ofSeconds(30));
		// before the fix the worker took the shard back and resumed from what it
		// remembered having handled (k#3), so nothing was read again
		assertThat(this.handled).containsExactly("k#1", "k#2", "k#3", "k#1", "k#2", "k#3");
		put(1);
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(this.handled).endsWith("k#3", "k#4");
		close(consumer);
	}

	@Test
	void aMetricsCollectorThatFailsAfterARetryWasScheduledDoesNotStartASecondHandOver() {
		MetricsCollector failing = new MetricsCollector() {

			@Override
			public void increment(MetricType metric, double value, Map<String, String> labels) {
			}

			@Override
			public void gauge(MetricType metric, double value, Map<String, String> labels) {
			}

			@Override
			public void histogram(MetricType metric, double value, Map<String, String> labels) {
			}

			@Override
			public void durations(MetricType metric, long[] nanos, int count, Map<String, String> labels) {
				throw new IllegalStateException("metrics backend down");
			}

		};
		StreamContext context = new StreamContext("orders", null, this.stream.client(this.clock),
				ConsumerOptions.defaults(), failing, this.clock, new RecordDeaggregator());
		AtomicInteger calls = new AtomicInteger();
		HandlerDispatcher dispatcher = HandlerDispatcher.forRecords(context, (record) -> {
			if (calls.incrementAndGet() == 1) {
				throw new IllegalStateException("not yet");
			}
		}, ConsumerErrorHandler.retryForever(), Runnable::run);
		CompletableFuture<Void> done = dispatcher.dispatch(new StoppableShard(), records(1));
		// before the fix the dispatch failed here while its retry was still scheduled:
		// the reader would hand the record over again beside that retry
		assertThat(done).isNotDone();
		this.clock.advance(Duration.ofSeconds(30));
		assertThat(done).isCompleted();
		assertThat(calls).hasValue(2);
	}

	@Test
	void aMoveBackReopensAShardReadToItsEndAndItsChildrenWaitForIt() {
		put(2);
		this.stream.splitRandomShard();
		KinesisConsumer consumer = consumer(ConsumerOptions.builder(), Runnable::run);
		consumer.start((record) -> this.handled.add(record.dataAsString()));
		this.clock.advance(Duration.ofSeconds(30));
		assertThat(this.handled).containsExactly("k#1", "k#2");
		assertThat(this.store.lease("shardId-000000000000").isFinished()).isTrue();

		CompletableFuture<CheckpointMover.Result> moved = moveAll(CheckpointMover.Target.trimHorizon());
		assertThat(moved.join().reopened()).containsExactly("shardId-000000000000");
		put(1);
		this.clock.advance(Duration.ofSeconds(60));
		// the closed parent is read again from its oldest record, and only then its
		// child, which holds the record put after the split
		assertThat(this.handled).containsExactly("k#1", "k#2", "k#1", "k#2", "k#3");
		assertThat(this.store.lease("shardId-000000000000").isFinished()).isTrue();
		close(consumer);
	}

	/** Moves every shard as an operator would, with a checkpointer of its own. */
	private CompletableFuture<CheckpointMover.Result> moveAll(CheckpointMover.Target target) {
		AbstractCheckpointer mover = this.store.checkpointer(CheckpointerSettings.of("app", "orders")
			.withWorkerId("mover")
			.withLeaseDuration(LEASE)
			.withClock(this.clock.clock()), this.clock);
		CompletableFuture<CheckpointMover.Result> moved = new CheckpointMover(this.stream.client(this.clock), "orders",
				mover)
			.moveAll(target);
		this.clock.runUntil(moved::isDone, Duration.ofMinutes(1));
		return moved;
	}

	private KinesisConsumer consumer(ConsumerOptions.Builder options, Executor handlers) {
		return consumer(options, handlers, InitialPosition.TRIM_HORIZON);
	}

	private KinesisConsumer consumer(ConsumerOptions.Builder options, Executor handlers, InitialPosition start) {
		return builder(this.stream.client(this.clock)).handlerExecutor(handlers)
			.options(options.initialPosition(start).build())
			.build();
	}

	/** A consumer of the test's store and clock, handlers run on the clock's thread. */
	private KinesisConsumer.Builder builder(KinesisAsyncClient client) {
		return KinesisConsumer.builder(client)
			.streamName("orders")
			.checkpointer(this.checkpointer)
			.metricsCollector(NoOpMetricsCollector.INSTANCE)
			.scheduler(this.clock)
			.handlerExecutor(Runnable::run);
	}

	private void close(KinesisConsumer consumer) {
		CompletableFuture<Void> closed = consumer.closeAsync();
		this.clock.runUntil(closed::isDone, Duration.ofMinutes(10));
		assertThat(closed).isDone();
	}

	private StreamContext context(ConsumerOptions options) {
		return new StreamContext("orders", null, this.stream.client(this.clock), options, NoOpMetricsCollector.INSTANCE,
				this.clock, new RecordDeaggregator());
	}

	private int puts;

	private void put(int count) {
		for (int i = 0; i < count; i++) {
			this.puts++;
			this.stream.put("k", "k#" + this.puts);
		}
	}

	private String seq(int index) {
		return this.stream.records("shardId-000000000000").get(index - 1).sequenceNumber();
	}

	private static List<KinesisRecord<byte[]>> records(int count) {
		List<KinesisRecord<byte[]>> records = new ArrayList<>();
		for (int i = 1; i <= count; i++) {
			records.addAll(new RecordDeaggregator().expand("orders", "shardId-000000000000",
					TestRecords.record(String.valueOf(i), "k#" + i)));
		}
		return records;
	}

	private static final class StoppableShard implements Dispatcher.Shard {

		volatile boolean stopRequested;

		@Override
		public String shardId() {
			return "shardId-000000000000";
		}

		@Override
		public boolean isStopRequested() {
			return this.stopRequested;
		}

		@Override
		public Map<String, String> labels() {
			return Map.of();
		}

		final List<String> handledUpTo = new ArrayList<>();

		@Override
		public void handledUpTo(KinesisRecord<byte[]> record) {
			this.handledUpTo.add(record.dataAsString());
		}

	}

}
