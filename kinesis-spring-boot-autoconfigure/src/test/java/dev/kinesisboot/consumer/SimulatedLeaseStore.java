package dev.kinesisboot.consumer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.kinesisboot.checkpoint.AbstractCheckpointer;
import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.LeaseLostException;
import dev.kinesisboot.checkpoint.WorkerBeat;
import dev.kinesisboot.support.Scheduler;

/**
 * A lease store for the consumer simulation, behind the real {@link AbstractCheckpointer}
 * contract: conditional takes, renewals, checkpoints and releases as the Redis and
 * DynamoDB stores do them. Calls travel with latency both ways; a call may fail, be
 * applied with its answer lost (the caller's timeout must notice), arrive late (after the
 * caller gave up on it), or meet an outage during which every call fails;
 * {@link #forget()} loses every lease, as a restarted store without persistence does.
 * Lease expiry is computed from the calling worker's (possibly skewed) clock when the
 * call is sent. Single-threaded.
 */
final class SimulatedLeaseStore {

	private final Random random;

	private final Map<String, Lease> leases = new TreeMap<>();

	private final Map<String, WorkerBeat> beats = new TreeMap<>();

	private final Observer observer;

	double failureRate;

	double lostRate;

	long maxLatencyNanos = TimeUnit.MILLISECONDS.toNanos(20);

	/**
	 * The share of requests that arrive late, after up to {@link #slowLatencyNanos};
	 * drawn from its own random, so runs without late requests are those of earlier
	 * versions.
	 */
	double slowRate;

	Random slowRandom = new Random(0);

	long slowLatencyNanos;

	boolean down;

	SimulatedLeaseStore(Random random, Observer observer) {
		this.random = random;
		this.observer = observer;
	}

	/** Loses every lease and checkpoint. */
	void forget() {
		this.observer.forgotten();
		for (Lease lease : List.copyOf(this.leases.values())) {
			if (lease.owner() != null) {
				this.observer.ownerChanged(lease.shardId(), lease.owner(), null);
			}
		}
		this.leases.clear();
		this.beats.clear();
	}

	/**
	 * Gives a lease to another worker, as a steal would, for a long time.
	 * @param shardId the shard
	 * @param owner the new owner
	 */
	void assign(String shardId, String owner) {
		Lease current = this.leases.get(shardId);
		this.observer.ownerChanged(shardId, (current != null) ? current.owner() : null, owner);
		this.leases.put(shardId, new Lease(shardId, owner, (current != null) ? current.counter() + 1 : 1, Instant.MAX,
				(current != null) ? current.checkpoint() : null));
	}

	Lease lease(String shardId) {
		return this.leases.get(shardId);
	}

	/**
	 * The checkpointer of one worker.
	 * @param settings its settings (worker id, lease duration, clock)
	 * @param worker its scheduler: answers come on it, so a crashed worker gets none
	 * @return the checkpointer
	 */
	AbstractCheckpointer checkpointer(CheckpointerSettings settings, Scheduler worker) {
		return new Client(settings, worker, true);
	}

	/**
	 * The checkpointer of a worker of an older version, which writes no heartbeat.
	 * @param settings its settings
	 * @param worker its scheduler
	 * @return the checkpointer
	 */
	AbstractCheckpointer checkpointerWithoutBeats(CheckpointerSettings settings, Scheduler worker) {
		return new Client(settings, worker, false);
	}

	/**
	 * What the simulation watches in the store.
	 */
	interface Observer {

		void ownerChanged(String shardId, String from, String to);

		void checkpointStored(String workerId, String shardId, Checkpoint checkpoint);

		/**
		 * A checkpoint read was applied at the store.
		 * @param workerId the reading worker
		 * @param shardId the shard
		 * @param checkpoint what it read, or {@code null}
		 * @param sent the read's place among the worker's reads, in the order they were
		 * sent: a read that arrives late may be applied after a later one, whose answer
		 * the worker used instead
		 */
		default void checkpointRead(String workerId, String shardId, Checkpoint checkpoint, long sent) {
		}

		default void forgotten() {
		}

	}

	private final class Client extends AbstractCheckpointer {

		private final Scheduler worker;

		private long readsSent;

		private final boolean beats;

		Client(CheckpointerSettings settings, Scheduler worker, boolean beats) {
			super(settings);
			this.worker = worker;
			this.beats = beats;
		}

		@Override
		public CompletableFuture<List<Lease>> listLeases() {
			return call(() -> new ArrayList<>(SimulatedLeaseStore.this.leases.values()));
		}

		@Override
		protected CompletableFuture<Optional<Checkpoint>> readCheckpoint(String shardId) {
			long sent = ++this.readsSent;
			return call(() -> {
				Optional<Checkpoint> checkpoint = Optional.ofNullable(SimulatedLeaseStore.this.leases.get(shardId))
					.map(Lease::checkpoint);
				SimulatedLeaseStore.this.observer.checkpointRead(workerId(), shardId, checkpoint.orElse(null), sent);
				return checkpoint;
			});
		}

		@Override
		public CompletableFuture<Boolean> takeLease(String shardId, Lease expected) {
			Instant expiry = newExpiry();
			return call(() -> {
				Lease current = SimulatedLeaseStore.this.leases.get(shardId);
				boolean unchanged = (expected == null) ? current == null : current != null
						&& Objects.equals(current.owner(), expected.owner()) && current.counter() == expected.counter();
				if (!unchanged) {
					return false;
				}
				Checkpoint checkpoint = (current != null) ? current.checkpoint() : null;
				long counter = (current != null) ? current.counter() + 1 : 1;
				put(current, new Lease(shardId, workerId(), counter, expiry, checkpoint));
				return true;
			});
		}

		@Override
		public CompletableFuture<Boolean> renewLease(String shardId) {
			Instant expiry = newExpiry();
			return call(() -> {
				Lease current = SimulatedLeaseStore.this.leases.get(shardId);
				if (current == null || !workerId().equals(current.owner())) {
					return false;
				}
				put(current, new Lease(shardId, current.owner(), current.counter() + 1, expiry, current.checkpoint()));
				return true;
			});
		}

		@Override
		protected CompletableFuture<Void> writeCheckpoint(String shardId, Checkpoint checkpoint) {
			return write(shardId, checkpoint, false);
		}

		@Override
		protected CompletableFuture<Void> writeReopen(String shardId, Checkpoint checkpoint) {
			return write(shardId, checkpoint, true);
		}

		private CompletableFuture<Void> write(String shardId, Checkpoint checkpoint, boolean overEnd) {
			return call(() -> {
				Lease current = SimulatedLeaseStore.this.leases.get(shardId);
				if (current == null || !workerId().equals(current.owner())) {
					throw new LeaseLostException(shardId, "Worker " + workerId() + " does not hold shard " + shardId);
				}
				if (!overEnd && current.checkpoint() != null && current.checkpoint().isShardEnd()) {
					// as every store does: an ended shard stays ended
					return null;
				}
				SimulatedLeaseStore.this.observer.checkpointStored(workerId(), shardId, checkpoint);
				put(current, new Lease(shardId, current.owner(), current.counter(), current.expiresAt(), checkpoint));
				return null;
			});
		}

		@Override
		protected CompletableFuture<Void> writeRelease(String shardId) {
			return call(() -> {
				Lease current = SimulatedLeaseStore.this.leases.get(shardId);
				if (current != null && workerId().equals(current.owner())) {
					put(current, new Lease(shardId, null, current.counter() + 1, null, current.checkpoint()));
				}
				return null;
			});
		}

		@Override
		public CompletableFuture<List<WorkerBeat>> beat(int leases, long changes) {
			if (!this.beats) {
				return super.beat(leases, changes);
			}
			Instant expiry = newExpiry();
			return call(() -> {
				WorkerBeat before = SimulatedLeaseStore.this.beats.get(workerId());
				SimulatedLeaseStore.this.beats.put(workerId(), new WorkerBeat(workerId(), leases, changes, expiry,
						(before != null) ? before.written() + 1 : 1));
				return new ArrayList<>(SimulatedLeaseStore.this.beats.values());
			});
		}

		@Override
		public CompletableFuture<Void> endBeat() {
			return call(() -> {
				SimulatedLeaseStore.this.beats.remove(workerId());
				return null;
			});
		}

		private void put(Lease current, Lease next) {
			String from = (current != null) ? current.owner() : null;
			if (!Objects.equals(from, next.owner())) {
				SimulatedLeaseStore.this.observer.ownerChanged(next.shardId(), from, next.owner());
			}
			SimulatedLeaseStore.this.leases.put(next.shardId(), next);
		}

		/**
		 * The request arrives after a latency and is applied (or fails); the answer comes
		 * back after another, unless it is lost.
		 */
		private <T> CompletableFuture<T> call(Supplier<T> operation) {
			CompletableFuture<T> answer = new CompletableFuture<>();
			Random random = SimulatedLeaseStore.this.random;
			boolean slow = SimulatedLeaseStore.this.slowRandom.nextDouble() < SimulatedLeaseStore.this.slowRate;
			long there = (long) (random.nextDouble()
					* (slow ? SimulatedLeaseStore.this.slowLatencyNanos : SimulatedLeaseStore.this.maxLatencyNanos));
			long back = (long) (random.nextDouble() * SimulatedLeaseStore.this.maxLatencyNanos);
			boolean fails = random.nextDouble() < SimulatedLeaseStore.this.failureRate;
			boolean lost = random.nextDouble() < SimulatedLeaseStore.this.lostRate;
			// the request is on its way even if the worker dies: applied on the store's
			// side, answered on the worker's
			this.worker.schedule(() -> {
				if (fails || SimulatedLeaseStore.this.down) {
					this.worker.schedule(
							() -> answer.completeExceptionally(new IllegalStateException("simulated store failure")),
							back);
					return;
				}
				T result;
				try {
					result = operation.get();
				}
				catch (RuntimeException ex) {
					this.worker.schedule(() -> answer.completeExceptionally(ex), back);
					return;
				}
				if (!lost) {
					this.worker.schedule(() -> answer.complete(result), back);
				}
			}, there);
			return answer;
		}

	}

}
