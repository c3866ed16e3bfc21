package dev.kinesisboot.checkpoint;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.metrics.MetricsCollector;

/**
 * Wraps a checkpointer so that a test can make its process "die": after {@link #kill()}
 * nothing it asks for reaches the store any more (no heartbeat, no checkpoint, no
 * release), as when the process is gone. Records handled after their last checkpoint are
 * then read again by the next owner, as after a real crash.
 */
final class KillableCheckpointer implements Checkpointer {

	private final Checkpointer delegate;

	private volatile boolean killed;

	KillableCheckpointer(Checkpointer delegate) {
		this.delegate = delegate;
	}

	/**
	 * From now on every operation fails without reaching the store.
	 */
	void kill() {
		this.killed = true;
	}

	private <T> CompletableFuture<T> unlessKilled(java.util.function.Supplier<CompletableFuture<T>> operation) {
		return this.killed ? CompletableFuture.failedFuture(new IllegalStateException("worker process is gone"))
				: operation.get();
	}

	@Override
	public String workerId() {
		return this.delegate.workerId();
	}

	@Override
	public String applicationName() {
		return this.delegate.applicationName();
	}

	@Override
	public String streamName() {
		return this.delegate.streamName();
	}

	@Override
	public Duration leaseDuration() {
		return this.delegate.leaseDuration();
	}

	@Override
	public Clock clock() {
		return this.delegate.clock();
	}

	@Override
	public boolean isAutoCheckpoint() {
		return this.delegate.isAutoCheckpoint();
	}

	@Override
	public void bindMetrics(MetricsCollector collector, Map<String, String> labels) {
		this.delegate.bindMetrics(collector, labels);
	}

	@Override
	public CompletableFuture<List<Lease>> listLeases() {
		return unlessKilled(this.delegate::listLeases);
	}

	@Override
	public CompletableFuture<Optional<Checkpoint>> getCheckpoint(String shardId) {
		return unlessKilled(() -> this.delegate.getCheckpoint(shardId));
	}

	@Override
	public CompletableFuture<Boolean> takeLease(String shardId, Lease expected) {
		return unlessKilled(() -> this.delegate.takeLease(shardId, expected));
	}

	@Override
	public CompletableFuture<Boolean> renewLease(String shardId) {
		return unlessKilled(() -> this.delegate.renewLease(shardId));
	}

	@Override
	public CompletableFuture<Void> releaseLease(String shardId) {
		return unlessKilled(() -> this.delegate.releaseLease(shardId));
	}

	@Override
	public CompletableFuture<Void> checkpoint(String shardId, Checkpoint checkpoint) {
		return unlessKilled(() -> this.delegate.checkpoint(shardId, checkpoint));
	}

	@Override
	public CompletableFuture<Void> manualCheckpoint() {
		return unlessKilled(this.delegate::manualCheckpoint);
	}

	@Override
	public void close() {
		this.delegate.close();
	}

}
