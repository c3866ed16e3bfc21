package dev.kinesisboot.checkpoint;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.kinesisboot.testsupport.ForwardingCheckpointer;

/**
 * Wraps a checkpointer so that a test can make its process "die": after {@link #kill()}
 * nothing it asks for reaches the store any more (no heartbeat, no checkpoint, no
 * release), as when the process is gone. Records handled after their last checkpoint are
 * then read again by the next owner, as after a real crash.
 */
final class KillableCheckpointer extends ForwardingCheckpointer {

	private volatile boolean killed;

	KillableCheckpointer(Checkpointer delegate) {
		super(delegate);
	}

	/**
	 * From now on every operation fails without reaching the store.
	 */
	void kill() {
		this.killed = true;
	}

	private <T> CompletableFuture<T> unlessKilled(Supplier<CompletableFuture<T>> operation) {
		return this.killed ? CompletableFuture.failedFuture(new IllegalStateException("worker process is gone"))
				: operation.get();
	}

	@Override
	public CompletableFuture<List<Lease>> listLeases() {
		return unlessKilled(super::listLeases);
	}

	@Override
	public CompletableFuture<Optional<Checkpoint>> getCheckpoint(String shardId) {
		return unlessKilled(() -> super.getCheckpoint(shardId));
	}

	@Override
	public CompletableFuture<Boolean> takeLease(String shardId, Lease expected) {
		return unlessKilled(() -> super.takeLease(shardId, expected));
	}

	@Override
	public CompletableFuture<Boolean> renewLease(String shardId) {
		return unlessKilled(() -> super.renewLease(shardId));
	}

	@Override
	public CompletableFuture<Void> releaseLease(String shardId) {
		return unlessKilled(() -> super.releaseLease(shardId));
	}

	@Override
	public CompletableFuture<List<WorkerBeat>> beat(int leases, long changes) {
		return unlessKilled(() -> super.beat(leases, changes));
	}

	@Override
	public CompletableFuture<Void> endBeat() {
		return unlessKilled(super::endBeat);
	}

	@Override
	public CompletableFuture<Void> checkpoint(String shardId, Checkpoint checkpoint) {
		return unlessKilled(() -> super.checkpoint(shardId, checkpoint));
	}

}
