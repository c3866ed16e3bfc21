package dev.kinesisboot.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.aggregation.RecordDeaggregator;
import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.metrics.NoOpMetricsCollector;
import dev.kinesisboot.testsupport.ForwardingCheckpointer;
import dev.kinesisboot.testsupport.VirtualScheduler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one writer of a shard's checkpoints, alone, against a store whose writes the test
 * holds and releases.
 */
class ShardCheckpointerTests {

	private static final String SHARD = "shardId-000000000000";

	private final VirtualScheduler clock = new VirtualScheduler(1);

	private final HeldStore store = new HeldStore();

	@Test
	void acknowledgementsMadeWhileAWriteIsInFlightBecomeOneStoreWrite() {
		ShardCheckpointer checkpointer = checkpointer(CheckpointMode.MANUAL);
		List<CompletableFuture<Void>> acknowledged = new ArrayList<>();
		for (int i = 1; i <= 100; i++) {
			acknowledged.add(checkpointer.acknowledged(Checkpoint.at(Integer.toString(i)), true));
		}
		assertThat(this.store.written).containsExactly(Checkpoint.at("1"));

		this.store.releaseNext();
		assertThat(this.store.written).as("the 99 positions acknowledged meanwhile, merged into the newest")
			.containsExactly(Checkpoint.at("1"), Checkpoint.at("100"));
		assertThat(acknowledged.get(1)).isNotDone();

		this.store.releaseNext();
		assertThat(acknowledged).allMatch((done) -> done.isDone() && !done.isCompletedExceptionally());
		assertThat(this.store.delegate().getCheckpoint(SHARD).join()).contains(Checkpoint.at("100"));
	}

	@Test
	void shardEndRequestedBehindAWaitingWriteTakesItsPlaceAndNoOlderPositionFollowsIt() {
		ShardCheckpointer checkpointer = checkpointer(CheckpointMode.AUTO);
		CompletableFuture<Void> first = checkpointer.handled(Checkpoint.at("5"), true);
		CompletableFuture<Void> waiting = checkpointer.handled(Checkpoint.at("6"), true);
		CompletableFuture<Void> end = checkpointer.shardEnd();
		CompletableFuture<Void> late = checkpointer.handled(Checkpoint.at("7"), true);

		this.store.releaseNext();
		this.store.releaseNext();
		assertThat(this.store.written).containsExactly(Checkpoint.at("5"), Checkpoint.SHARD_END);
		assertThat(List.of(first, waiting, end, late))
			.allMatch((done) -> done.isDone() && !done.isCompletedExceptionally());
		assertThat(this.store.delegate().getCheckpoint(SHARD).join()).contains(Checkpoint.SHARD_END);
	}

	@Test
	void positionsHandledWithinTheIntervalBecomeOneWriteWhenItIsOverAndNoneAfterTheReaderStopped() {
		ShardCheckpointer checkpointer = checkpointer(CheckpointMode.AUTO);
		Duration interval = Duration.ofSeconds(ConsumerOptions.DEFAULT_CHECKPOINT_INTERVAL_SECONDS);
		checkpointer.handled(Checkpoint.at("1"), false);
		this.clock.advance(Duration.ofSeconds(1));
		checkpointer.handled(Checkpoint.at("2"), false);
		assertThat(this.store.written).as("not due yet").isEmpty();

		this.clock.advance(interval.minusSeconds(1));
		assertThat(this.store.written).as("the newest, once the interval is over").containsExactly(Checkpoint.at("2"));
		this.store.releaseNext();

		checkpointer.handled(Checkpoint.at("3"), false);
		this.clock.advance(interval.dividedBy(2));
		checkpointer.cancelDue();
		this.clock.advance(interval);
		assertThat(this.store.written).as("a stopped reader's release writes its position itself")
			.containsExactly(Checkpoint.at("2"));
	}

	private ShardCheckpointer checkpointer(CheckpointMode mode) {
		ConsumerOptions options = ConsumerOptions.builder().checkpointMode(mode).build();
		StreamContext context = new StreamContext("orders", null, null, options, NoOpMetricsCollector.INSTANCE,
				this.clock, new RecordDeaggregator());
		ShardCheckpointer checkpointer = new ShardCheckpointer(this.store, SHARD, context,
				LeaseTiming.of(Duration.ofSeconds(10)), new ShardProgress(), () -> {
				});
		assertThat(this.store.takeLease(SHARD, null).join()).isTrue();
		checkpointer.started(null, null);
		return checkpointer;
	}

	/** Holds every checkpoint write until the test releases it. */
	private static final class HeldStore extends ForwardingCheckpointer {

		final List<Checkpoint> written = new ArrayList<>();

		private final List<Runnable> held = new ArrayList<>();

		HeldStore() {
			super(new MemoryCheckpointer(CheckpointerSettings.of("app", "orders").withWorkerId("w1")));
		}

		@Override
		public CompletableFuture<Void> checkpoint(String shardId, Checkpoint checkpoint) {
			this.written.add(checkpoint);
			CompletableFuture<Void> answer = new CompletableFuture<>();
			this.held.add(() -> delegate().checkpoint(shardId, checkpoint).whenComplete((ok, error) -> {
				if (error != null) {
					answer.completeExceptionally(error);
				}
				else {
					answer.complete(null);
				}
			}));
			return answer;
		}

		void releaseNext() {
			this.held.remove(0).run();
		}

		@Override
		protected MemoryCheckpointer delegate() {
			return (MemoryCheckpointer) super.delegate();
		}

	}

}
