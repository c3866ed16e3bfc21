package dev.kinesisboot.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.LeaseLostException;
import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Backoff;
import dev.kinesisboot.support.Futures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * The fetch loop of one shard: read a batch from its {@link RecordSource} (GetRecords or
 * a fan-out subscription), hand it to the {@link Dispatcher}, checkpoint what was
 * handled, read the next one. Each step runs when the previous one completed, so the loop
 * needs no thread of its own and one shard's waits never delay another.
 * <p>
 * A batch that could not be handed over for any reason but a stop is handed over again
 * after a back-off, never skipped; {@code SHARD_END} is written only after the last batch
 * of a closed shard was handled in full. {@link #stop} and the start of a dispatch are
 * decided under one lock, so a reader reported stopped hands nothing over any more.
 * {@link #whenStopped()} completes, with the final state, once the loop stopped and
 * nothing of the shard is being handled.
 */
final class ShardReader implements Dispatcher.Shard {

	private static final Logger logger = LoggerFactory.getLogger(ShardReader.class);

	/** Error type counted when a lease is lost. */
	static final String LEASE_LOST = "lease_lost";

	private final StreamContext context;

	private final String shardId;

	private final Checkpointer store;

	private final Dispatcher dispatcher;

	private final ShardPositions positions;

	private final ShardCheckpointer checkpoints;

	private final ShardProgress progress;

	private final RecordSource source;

	private final Runnable onChildShards;

	private final Map<String, String> labels;

	private final Backoff errorBackoff;

	private final long storeTimeoutNanos;

	private final long clockMarginNanos;

	private final CompletableFuture<ShardStatus.State> stopped = new CompletableFuture<>();

	// written under this, read without it by the dispatcher's per-record check
	private volatile boolean stopRequested;

	// guarded by this
	private boolean dispatching;

	private volatile ShardStatus.State state = ShardStatus.State.RUNNING;

	private volatile long millisBehindLatest = -1;

	private volatile int consecutiveErrors;

	private volatile String lastError;

	/** Set once the shard was read to its end and every record handled. */
	private volatile Checkpoint endedAt;

	private final AtomicBoolean ending = new AtomicBoolean();

	// guarded by this: a hand-over waiting for its retry; whoever claims it first (the
	// timer or a stop) decides whether it runs
	private AtomicBoolean pendingHandOver;

	private long lastFetchNanos;

	private double recordsPerSecond;

	/**
	 * A reader for one shard, not yet started.
	 * @param context the stream
	 * @param shardId the shard
	 * @param store the lease and checkpoint store
	 * @param dispatcher where records go
	 * @param positions where the shard was handled to
	 * @param sources makes the shard's source from its positions
	 * @param timing store timeouts
	 * @param progress what this worker knows it handled, across readers
	 * @param onChildShards called when a read names child shards (a reshard)
	 */
	ShardReader(StreamContext context, String shardId, Checkpointer store, Dispatcher dispatcher,
			ShardPositions positions, Function<ShardPositions, RecordSource> sources, LeaseTiming timing,
			ShardProgress progress, Runnable onChildShards) {
		this.context = context;
		this.shardId = shardId;
		this.store = store;
		this.dispatcher = dispatcher;
		this.positions = positions;
		this.checkpoints = new ShardCheckpointer(store, shardId, context, timing, progress,
				() -> leaseLost("was taken by another worker"));
		// a stopped reader writes no more: a release writes its last position itself
		this.stopped.whenComplete((state, error) -> this.checkpoints.cancelDue());
		this.progress = progress;
		this.source = sources.apply(positions);
		this.onChildShards = onChildShards;
		this.labels = MetricLabels.shard(context.streamName(), shardId);
		this.errorBackoff = context.errorBackoff();
		this.storeTimeoutNanos = timing.storeTimeoutNanos();
		this.clockMarginNanos = timing.marginNanos();
		// a shard read elsewhere now is reported by its new reader, not frozen here
		this.stopped.whenComplete((state, error) -> {
			context.metrics().removeGauge(MetricType.CONSUMER_ITERATOR_AGE, this.labels);
			context.metrics().removeGauge(MetricType.CONSUMER_LAG_RECORDS, this.labels);
		});
	}

	@Override
	public String shardId() {
		return this.shardId;
	}

	@Override
	public Map<String, String> labels() {
		return this.labels;
	}

	@Override
	public boolean isStopRequested() {
		return this.stopRequested;
	}

	boolean isActive() {
		return !this.stopped.isDone();
	}

	/**
	 * Completes once the loop stopped and no handler of this shard runs any more.
	 * @return the final state: {@code FINISHED} when read to its end, else
	 * {@code STOPPED}
	 */
	CompletableFuture<ShardStatus.State> whenStopped() {
		return this.stopped;
	}

	ShardStatus status() {
		Checkpoint handled = this.positions.lastHandled();
		return new ShardStatus(this.shardId, this.state,
				(handled != null && !handled.isTimestamp()) ? handled.sequenceNumber() : null, this.millisBehindLatest,
				this.consecutiveErrors, this.lastError);
	}

	/**
	 * Asks the loop to stop: no record of the shard starts being handled from now on.
	 * @param reason the error type to show in the status, or {@code null}
	 */
	void stop(String reason) {
		boolean idle;
		synchronized (this) {
			if (!this.stopRequested) {
				this.stopRequested = true;
				if (this.state != ShardStatus.State.FINISHED) {
					this.state = ShardStatus.State.STOPPED;
				}
				if (reason != null) {
					this.lastError = reason;
				}
			}
			if (this.pendingHandOver != null && this.pendingHandOver.compareAndSet(false, true)) {
				// the batch waits for a retry: call it off; nothing of it was handled
				this.pendingHandOver = null;
				this.dispatching = false;
			}
			idle = !this.dispatching;
		}
		this.source.close();
		if (idle) {
			// waiting for a timer or a read: nothing of this shard is being handled
			this.stopped.complete(this.state);
		}
	}

	/** Stops because the lease was lost; counted and logged. */
	void leaseLost(String why) {
		if (isStopRequested()) {
			return;
		}
		logger.warn("Lease of shard {} of stream '{}' {}; stopped reading it", this.shardId, this.context.streamName(),
				why);
		this.context.metrics().increment(MetricType.CONSUMER_ERRORS, 1, errorLabels(LEASE_LOST));
		stop(LEASE_LOST);
	}

	void start() {
		this.context
			.bounded(() -> this.store.getCheckpoint(this.shardId), this.storeTimeoutNanos, "The checkpoint store")
			.whenComplete((checkpoint, error) -> {
				if (error != null) {
					onError(error, this::start);
					return;
				}
				Checkpoint stored = Optional.ofNullable(checkpoint).flatMap((found) -> found).orElse(null);
				// what this worker remembers counts only when the store lost the shard's
				// checkpoint: a stored one, even behind the memory, may have been moved
				// back on purpose (CheckpointMover), and re-reading costs only duplicates
				Checkpoint resumed = (stored != null) ? stored : this.progress.known(this.shardId);
				if (resumed != null && resumed.isShardEnd()) {
					this.state = ShardStatus.State.FINISHED;
					stop(null);
					return;
				}
				boolean atTip = resumed == null && this.positions.needsStartMarker();
				if (atTip) {
					// where the group began reading at the tip, so a later owner (or an
					// iterator opened again) resumes there, not at a newer tip; set back
					// by the clock-skew margin, as Kinesis times arrivals by its own
					// clock
					resumed = Checkpoint
						.atTimestamp(this.context.scheduler().clock().instant().minusNanos(this.clockMarginNanos));
				}
				else if (resumed != null && !resumed.equals(stored)) {
					logger.warn(
							"The lease store holds nothing for shard {} of stream '{}', but this worker handled it up "
									+ "to {}; resuming from there and writing it back",
							this.shardId, this.context.streamName(), resumed);
				}
				this.checkpoints.started(stored, resumed);
				if (atTip) {
					this.positions.startedAtTip(resumed);
				}
				else {
					this.positions.handled(resumed);
				}
				if (resumed == null || resumed.equals(stored)) {
					read();
					return;
				}
				this.checkpoints.mark(resumed).whenComplete((ok, markError) -> {
					if (markError == null) {
						read();
					}
					else if (AwsErrors.unwrap(markError) instanceof LeaseLostException) {
						leaseLost("was taken by another worker");
					}
					else {
						onError(markError, this::start);
					}
				});
			});
	}

	/**
	 * Writes the last handled position if not yet written, for a release or shutdown;
	 * never fails.
	 * @return completes when written or given up
	 */
	CompletableFuture<Void> flushCheckpoint() {
		if (this.state == ShardStatus.State.FINISHED) {
			return CompletableFuture.completedFuture(null);
		}
		return this.checkpoints.flush(this.positions.lastHandled());
	}

	private void read() {
		if (stopIfRequested()) {
			return;
		}
		// while the consumer is paused, the fetch waits; the lease is still renewed
		this.context.gate().whenOpen(this::fetch);
	}

	private void fetch() {
		if (stopIfRequested()) {
			return;
		}
		this.lastFetchNanos = this.context.scheduler().nanoTime();
		Futures.call(this.source::read).whenComplete((batch, error) -> {
			if (error == null) {
				onRecords(batch);
			}
			else if (this.source.retryAtOnce(error)) {
				countError(error);
				this.consecutiveErrors = 0;
				this.context.schedule(this::read, 0);
			}
			else {
				onError(error, this::read);
			}
		});
	}

	private void onRecords(RecordSource.Batch response) {
		if (!beginDispatch()) {
			// read after the stop: not handed over, not checkpointed; the next owner
			// reads it again
			return;
		}
		List<Record> records = response.records();
		List<KinesisRecord<byte[]>> expanded = new ArrayList<>(records.size());
		for (Record record : records) {
			expanded.addAll(this.context.recordExpander().expand(this.context.streamName(), this.shardId, record));
		}
		int reread = this.positions.skipHandled(records, expanded);
		long bytes = 0;
		for (Record record : records.subList(reread, records.size())) {
			bytes += record.data().asByteArrayUnsafe().length;
		}
		MetricsCollector metrics = this.context.metrics();
		if (records.size() > reread) {
			metrics.increment(MetricType.CONSUMER_RECORDS_RECEIVED, records.size() - reread, this.labels);
			metrics.increment(MetricType.CONSUMER_BYTES_RECEIVED, bytes, this.labels);
		}
		updateLag(response, records.size() - reread);
		if (response.childShardsSeen()) {
			this.onChildShards.run();
		}
		handOver(expanded, response, 1);
	}

	/**
	 * Hands the batch to the dispatcher; runs while {@code dispatching} is set.
	 */
	private void handOver(List<KinesisRecord<byte[]>> expanded, RecordSource.Batch response, int attempt) {
		boolean ended = response.shardEnded();
		CompletableFuture<Void> handled = expanded.isEmpty() ? CompletableFuture.completedFuture(null)
				: Futures.call(() -> this.dispatcher.dispatch(this, expanded)).thenCompose((ignored) -> {
					KinesisRecord<byte[]> last = expanded.get(expanded.size() - 1);
					Checkpoint position = new Checkpoint(last.sequenceNumber(), last.subSequenceNumber());
					this.positions.handled(position);
					return this.checkpoints.handled(position, ended);
				});
		handled.whenComplete((ignored, error) -> {
			if (error == null) {
				endDispatch();
				if (ended) {
					// every record of the closed shard was handled
					this.endedAt = (expanded.isEmpty()) ? this.positions.lastHandled()
							: new Checkpoint(expanded.get(expanded.size() - 1).sequenceNumber(),
									expanded.get(expanded.size() - 1).subSequenceNumber());
					finish();
				}
				else {
					this.context.schedule(this::read, this.source.nextReadDelayNanos(response));
				}
				return;
			}
			Throwable cause = AwsErrors.unwrap(error);
			if (cause instanceof LeaseLostException) {
				endDispatch();
				leaseLost("was taken by another worker");
				return;
			}
			// not handed over, for a reason of ours (a refused task, a failing metrics
			// collector): the same records again after a back-off, never skipped
			AtomicBoolean retry = new AtomicBoolean();
			boolean stopping;
			synchronized (this) {
				stopping = this.stopRequested;
				if (!stopping) {
					this.state = ShardStatus.State.RETRYING;
					this.pendingHandOver = retry;
				}
			}
			if (stopping) {
				endDispatch();
				return;
			}
			countError(cause);
			long delay = this.errorBackoff.delayNanos(attempt, this.context.scheduler().random());
			if (attempt == 1 || attempt % 10 == 0) {
				logger.warn("Handing records of shard {} of stream '{}' over failed ({} in a row, again in {} ms): {}",
						this.shardId, this.context.streamName(), attempt, TimeUnit.NANOSECONDS.toMillis(delay),
						cause.toString());
			}
			this.context.schedule(() -> {
				if (retry.compareAndSet(false, true)) {
					synchronized (this) {
						this.pendingHandOver = null;
					}
					handOver(expanded, response, attempt + 1);
				}
			}, delay);
		});
	}

	private synchronized boolean beginDispatch() {
		if (this.stopRequested) {
			return false;
		}
		this.dispatching = true;
		// a read succeeded; under the lock, so a stop that came first keeps its STOPPED
		this.consecutiveErrors = 0;
		if (this.state == ShardStatus.State.RETRYING) {
			this.state = ShardStatus.State.RUNNING;
		}
		return true;
	}

	private void endDispatch() {
		boolean stopping;
		synchronized (this) {
			this.dispatching = false;
			stopping = this.stopRequested;
		}
		if (stopping) {
			this.stopped.complete(this.state);
		}
	}

	private void updateLag(RecordSource.Batch response, int received) {
		long now = this.context.scheduler().nanoTime();
		double seconds = Math.max(1e-3, (now - this.lastFetchNanos) / 1e9);
		double rate = received / Math.max(seconds, this.context.options().minFetchInterval().toNanos() / 1e9);
		this.recordsPerSecond = (this.recordsPerSecond == 0) ? rate : 0.8 * this.recordsPerSecond + 0.2 * rate;
		Long behind = response.millisBehindLatest();
		if (behind == null) {
			return;
		}
		this.millisBehindLatest = behind;
		MetricsCollector metrics = this.context.metrics();
		metrics.gauge(MetricType.CONSUMER_ITERATOR_AGE, behind, this.labels);
		// records behind the tip: time behind times the rate this shard was read at
		// recently
		double lag = (behind == 0) ? 0 : Math.ceil(behind / 1000.0 * this.recordsPerSecond);
		metrics.gauge(MetricType.CONSUMER_LAG_RECORDS, lag, this.labels);
	}

	@Override
	public void handledUpTo(KinesisRecord<byte[]> record) {
		Checkpoint position = new Checkpoint(record.sequenceNumber(), record.subSequenceNumber());
		this.positions.handled(position);
		this.checkpoints.handled(position, false).whenComplete((ok, error) -> {
			if (error != null && AwsErrors.unwrap(error) instanceof LeaseLostException) {
				leaseLost("was taken by another worker");
			}
		});
	}

	@Override
	public void recoveredUpTo(KinesisRecord<byte[]> record) {
		if (this.context.options().checkpointMode() != CheckpointMode.MANUAL) {
			handledUpTo(record);
			return;
		}
		Checkpoint position = new Checkpoint(record.sequenceNumber(), record.subSequenceNumber());
		this.positions.handled(position);
		acknowledge(position);
	}

	@Override
	public void failing(String errorType, Throwable error) {
		synchronized (this) {
			if (this.stopRequested) {
				return;
			}
			this.consecutiveErrors++;
			this.lastError = errorType + ": " + AwsErrors.unwrap(error);
			this.state = ShardStatus.State.RETRYING;
		}
		this.context.metrics().increment(MetricType.CONSUMER_ERRORS, 1, errorLabels(errorType));
	}

	@Override
	public void recovered() {
		if (this.consecutiveErrors == 0 && this.state != ShardStatus.State.RETRYING) {
			return;
		}
		synchronized (this) {
			if (!this.stopRequested && this.state == ShardStatus.State.RETRYING) {
				this.consecutiveErrors = 0;
				this.state = ShardStatus.State.RUNNING;
			}
		}
	}

	/**
	 * The application acknowledged every record of the shard up to the position: it is
	 * written now (or by the final flush when the shard is stopping). A lost lease stops
	 * the reader; the acknowledgement itself never fails.
	 * @param position the position
	 * @return completes when written or given up
	 */
	CompletableFuture<Void> acknowledge(Checkpoint position) {
		return this.checkpoints.acknowledged(position, !isStopRequested()).handle((ok, error) -> {
			if (error != null && AwsErrors.unwrap(error) instanceof LeaseLostException) {
				leaseLost("was taken by another worker");
			}
			if (this.endedAt != null) {
				// a closed shard waiting for its last acknowledgement
				finish();
			}
			return null;
		});
	}

	private void finish() {
		if (stopIfRequested()) {
			// the checkpoint covers the last batch; the next owner finds nothing after it
			// and writes SHARD_END itself
			return;
		}
		if (!this.checkpoints.mayEnd(this.endedAt) || !this.ending.compareAndSet(false, true)) {
			// MANUAL mode: SHARD_END waits until the last record was acknowledged
			return;
		}
		this.checkpoints.shardEnd().whenComplete((ok, error) -> {
			if (error != null) {
				this.ending.set(false);
				if (AwsErrors.unwrap(error) instanceof LeaseLostException) {
					leaseLost("was taken by another worker");
					return;
				}
				onError(error, this::finish);
				return;
			}
			logger.info("Shard {} of stream '{}' read to its end", this.shardId, this.context.streamName());
			this.state = ShardStatus.State.FINISHED;
			stop(null);
		});
	}

	private void onError(Throwable error, Runnable retry) {
		if (stopIfRequested()) {
			return;
		}
		int attempt;
		synchronized (this) {
			if (this.stopRequested) {
				// stopped meanwhile: the stop ended the loop and keeps its state
				return;
			}
			attempt = ++this.consecutiveErrors;
			this.state = ShardStatus.State.RETRYING;
		}
		countError(error);
		long delay = this.errorBackoff.delayNanos(attempt, this.context.scheduler().random());
		if (attempt == 1 || attempt % 10 == 0) {
			logger.warn("Reading shard {} of stream '{}' failed ({} in a row, retrying in {} ms): {}", this.shardId,
					this.context.streamName(), attempt, TimeUnit.NANOSECONDS.toMillis(delay),
					AwsErrors.unwrap(error).toString());
		}
		this.context.schedule(retry, delay);
	}

	private void countError(Throwable error) {
		Throwable cause = AwsErrors.unwrap(error);
		String type = (cause instanceof FanOutSource.SubscriptionException subscription) ? subscription.errorCode()
				: AwsErrors.errorType(error);
		this.lastError = type + ": " + cause.getMessage();
		this.context.metrics().increment(MetricType.CONSUMER_ERRORS, 1, errorLabels(type));
	}

	private Map<String, String> errorLabels(String type) {
		return Map.of(MetricLabels.STREAM_NAME, this.context.streamName(), MetricLabels.SHARD_ID, this.shardId,
				MetricLabels.ERROR_TYPE, type);
	}

	private boolean stopIfRequested() {
		if (isStopRequested()) {
			this.stopped.complete(this.state);
			return true;
		}
		return false;
	}

	@Override
	public String toString() {
		return "ShardReader[" + this.shardId + ", " + this.state + "]";
	}

}
