package dev.kinesisboot.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.WorkerBeat;
import dev.kinesisboot.metrics.MetricsCollector;

/**
 * A checkpointer that hands every call to another one; tests extend it and override only
 * the calls they watch or break.
 */
public abstract class ForwardingCheckpointer implements Checkpointer {

	private final Checkpointer delegate;

	protected ForwardingCheckpointer(Checkpointer delegate) {
		this.delegate = delegate;
	}

	/**
	 * The checkpointer calls go to.
	 * @return the delegate
	 */
	protected Checkpointer delegate() {
		return this.delegate;
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
	public void bindMetrics(MetricsCollector collector, Map<String, String> labels) {
		this.delegate.bindMetrics(collector, labels);
	}

	@Override
	public CompletableFuture<List<Lease>> listLeases() {
		return this.delegate.listLeases();
	}

	@Override
	public CompletableFuture<Optional<Checkpoint>> getCheckpoint(String shardId) {
		return this.delegate.getCheckpoint(shardId);
	}

	@Override
	public CompletableFuture<Boolean> takeLease(String shardId, Lease expected) {
		return this.delegate.takeLease(shardId, expected);
	}

	@Override
	public CompletableFuture<Boolean> renewLease(String shardId) {
		return this.delegate.renewLease(shardId);
	}

	@Override
	public CompletableFuture<Void> releaseLease(String shardId) {
		return this.delegate.releaseLease(shardId);
	}

	@Override
	public CompletableFuture<Void> checkpoint(String shardId, Checkpoint checkpoint) {
		return this.delegate.checkpoint(shardId, checkpoint);
	}

	@Override
	public CompletableFuture<Void> reopen(String shardId, Checkpoint checkpoint) {
		return this.delegate.reopen(shardId, checkpoint);
	}

	@Override
	public CompletableFuture<List<WorkerBeat>> beat(int leases, long changes) {
		return this.delegate.beat(leases, changes);
	}

	@Override
	public CompletableFuture<Void> endBeat() {
		return this.delegate.endBeat();
	}

	@Override
	public void close() {
		this.delegate.close();
	}

}
