package dev.kinesisboot.checkpoint;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Keeps leases and checkpoints in memory: for one process, tests and development.
 * Progress is lost when the process ends. Several checkpointers (workers) in one JVM can
 * share a {@link MemoryCheckpointer.Store} to coordinate; it keeps their heartbeats too.
 * Thread-safe.
 */
public class MemoryCheckpointer extends AbstractCheckpointer {

	private final Store store;

	private final String prefix;

	/**
	 * A checkpointer with its own store.
	 * @param settings the settings
	 */
	public MemoryCheckpointer(CheckpointerSettings settings) {
		this(settings, new Store());
	}

	/**
	 * A checkpointer over a shared store.
	 * @param settings the settings
	 * @param store the store, shared by the workers of this JVM
	 */
	public MemoryCheckpointer(CheckpointerSettings settings, Store store) {
		super(settings);
		this.store = Objects.requireNonNull(store, "store");
		this.prefix = settings.applicationName() + "/" + settings.streamName() + "/";
	}

	@Override
	public CompletableFuture<List<Lease>> listLeases() {
		return CompletableFuture.completedFuture(ofThisStream(this.store.leases));
	}

	/** The values of this group and stream. */
	private <T> List<T> ofThisStream(Map<String, T> entries) {
		return entries.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().startsWith(this.prefix))
			.map(Map.Entry::getValue)
			.toList();
	}

	@Override
	protected CompletableFuture<Optional<Checkpoint>> readCheckpoint(String shardId) {
		Lease lease = this.store.leases.get(this.prefix + shardId);
		return CompletableFuture.completedFuture(Optional.ofNullable(lease).map(Lease::checkpoint));
	}

	@Override
	public CompletableFuture<Boolean> takeLease(String shardId, Lease expected) {
		boolean[] taken = { false };
		this.store.leases.compute(this.prefix + shardId, (key, current) -> {
			boolean unchanged = (expected == null) ? current == null : current != null
					&& Objects.equals(current.owner(), expected.owner()) && current.counter() == expected.counter();
			if (!unchanged) {
				return current;
			}
			taken[0] = true;
			Checkpoint checkpoint = (current != null) ? current.checkpoint() : null;
			long counter = (current != null) ? current.counter() + 1 : 1;
			return new Lease(shardId, workerId(), counter, newExpiry(), checkpoint);
		});
		return CompletableFuture.completedFuture(taken[0]);
	}

	@Override
	public CompletableFuture<Boolean> renewLease(String shardId) {
		boolean[] renewed = { false };
		this.store.leases.computeIfPresent(this.prefix + shardId, (key, current) -> {
			if (!workerId().equals(current.owner())) {
				return current;
			}
			renewed[0] = true;
			return new Lease(shardId, current.owner(), current.counter() + 1, newExpiry(), current.checkpoint());
		});
		return CompletableFuture.completedFuture(renewed[0]);
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
		boolean[] written = { false };
		this.store.leases.computeIfPresent(this.prefix + shardId, (key, current) -> {
			if (!workerId().equals(current.owner())) {
				return current;
			}
			written[0] = true;
			if (!overEnd && current.checkpoint() != null && current.checkpoint().isShardEnd()) {
				// an ended shard stays ended, whatever write arrives late
				return current;
			}
			return new Lease(shardId, current.owner(), current.counter(), current.expiresAt(), checkpoint);
		});
		if (!written[0]) {
			return CompletableFuture.failedFuture(new LeaseLostException(shardId, "Worker " + workerId()
					+ " does not hold the lease of shard " + shardId + "; checkpoint " + checkpoint + " refused"));
		}
		return CompletableFuture.completedFuture(null);
	}

	@Override
	protected CompletableFuture<Void> writeRelease(String shardId) {
		this.store.leases.computeIfPresent(this.prefix + shardId, (key, current) -> workerId().equals(current.owner())
				? new Lease(shardId, null, current.counter() + 1, null, current.checkpoint()) : current);
		return CompletableFuture.completedFuture(null);
	}

	@Override
	public CompletableFuture<List<WorkerBeat>> beat(int leases, long changes) {
		Instant expiry = newExpiry();
		this.store.beats.compute(this.prefix + workerId(), (key, before) -> new WorkerBeat(workerId(), leases, changes,
				expiry, (before != null) ? before.written() + 1 : 1));
		return CompletableFuture.completedFuture(ofThisStream(this.store.beats));
	}

	@Override
	public CompletableFuture<Void> endBeat() {
		this.store.beats.remove(this.prefix + workerId());
		return CompletableFuture.completedFuture(null);
	}

	/**
	 * The leases of every stream and group, shared by the checkpointers given it.
	 */
	public static final class Store {

		private final ConcurrentMap<String, Lease> leases = new ConcurrentHashMap<>();

		private final ConcurrentMap<String, WorkerBeat> beats = new ConcurrentHashMap<>();

	}

}
