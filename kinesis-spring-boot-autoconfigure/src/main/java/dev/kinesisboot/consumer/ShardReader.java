package dev.kinesisboot.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.LeaseLostException;
import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.support.AwsErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;

/**
 * The fetch loop of one shard: read a batch from its {@link RecordSource} (GetRecords or
 * a fan-out subscription), hand it to the handlers, checkpoint what they handled, read
 * the next one. Each step runs when the previous one completed, so the loop needs no
 * thread of its own and one shard's waits never delay another.
 */
final class ShardReader {

	private static final Logger logger = LoggerFactory.getLogger(ShardReader.class);

	private final KinesisConsumer consumer;

	private final String shardId;

	private final boolean startAtOldest;

	private final Map<String, String> labels;

	private final RecordSource source;

	private final CompletableFuture<Void> stopped = new CompletableFuture<>();

	private volatile boolean stopRequested;

	private volatile boolean dispatching;

	private volatile ShardStatus.State state = ShardStatus.State.RUNNING;

	private volatile Checkpoint lastHandled;

	private volatile long millisBehindLatest = -1;

	private volatile int consecutiveErrors;

	private volatile String lastError;

	private long lastFetchNanos;

	private long lastCheckpointNanos;

	private Checkpoint lastWritten;

	/** The checkpoint the iterator was opened at, until the first records are read. */
	private Checkpoint resumeAt;

	private double recordsPerSecond;

	ShardReader(KinesisConsumer consumer, String shardId, boolean startAtOldest) {
		this.consumer = consumer;
		this.shardId = shardId;
		this.startAtOldest = startAtOldest;
		this.labels = MetricLabels.shard(consumer.streamName(), shardId);
		this.source = consumer.newSource(this);
	}

	String shardId() {
		return this.shardId;
	}

	boolean isFinished() {
		return this.state == ShardStatus.State.FINISHED;
	}

	boolean isActive() {
		return !this.stopped.isDone();
	}

	/** Completes once the loop stopped and no handler of this shard runs any more. */
	CompletableFuture<Void> whenStopped() {
		return this.stopped;
	}

	ShardStatus status() {
		Checkpoint handled = this.lastHandled;
		return new ShardStatus(this.shardId, this.state, (handled != null) ? handled.sequenceNumber() : null,
				this.millisBehindLatest, this.consecutiveErrors, this.lastError);
	}

	/** Asks the loop to stop after its current step. */
	void stop(ShardStatus.State finalState) {
		if (!this.stopRequested) {
			this.stopRequested = true;
			this.source.close();
			if (this.state != ShardStatus.State.FINISHED) {
				this.state = finalState;
			}
		}
		if (!this.dispatching) {
			// waiting for a timer or a read: nothing of this shard is being handled
			this.stopped.complete(null);
		}
	}

	void start() {
		this.consumer.checkpointer().getCheckpoint(this.shardId).whenComplete((checkpoint, error) -> {
			if (error != null) {
				onError(error, this::start);
				return;
			}
			Checkpoint position = checkpoint.orElse(null);
			if (position != null && position.isShardEnd()) {
				finish();
				return;
			}
			this.lastHandled = position;
			this.lastWritten = position;
			read();
		});
	}

	/**
	 * Where a new iterator or subscription starts: AT the last handled record (not AFTER:
	 * an aggregated record may hold user records after the checkpointed one, which
	 * {@link #skipHandled} keeps), else after a position the source already passed
	 * without records, else the initial position.
	 * @param passedSequence a sequence number the source read up to, or {@code null}
	 * @return the starting position
	 */
	StartingPosition startingPosition(String passedSequence) {
		this.resumeAt = this.lastHandled;
		return positionAfterHandled(passedSequence);
	}

	/**
	 * {@link #startingPosition}, without preparing to skip re-read records.
	 * @param passedSequence a sequence number the source read up to, or {@code null}
	 * @return the starting position
	 */
	StartingPosition positionAfterHandled(String passedSequence) {
		Checkpoint from = this.lastHandled;
		if (from != null) {
			return StartingPosition.builder()
				.type(ShardIteratorType.AT_SEQUENCE_NUMBER)
				.sequenceNumber(from.sequenceNumber())
				.build();
		}
		if (passedSequence != null) {
			return StartingPosition.builder()
				.type(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
				.sequenceNumber(passedSequence)
				.build();
		}
		if (this.startAtOldest) {
			return StartingPosition.builder().type(ShardIteratorType.TRIM_HORIZON).build();
		}
		ConsumerOptions options = this.consumer.options();
		return switch (options.initialPosition()) {
			case TRIM_HORIZON -> StartingPosition.builder().type(ShardIteratorType.TRIM_HORIZON).build();
			case LATEST -> StartingPosition.builder().type(ShardIteratorType.LATEST).build();
			case AT_TIMESTAMP -> StartingPosition.builder()
				.type(ShardIteratorType.AT_TIMESTAMP)
				.timestamp(options.startTimestamp())
				.build();
		};
	}

	private void read() {
		if (stopIfRequested()) {
			return;
		}
		this.lastFetchNanos = System.nanoTime();
		this.source.read().whenComplete((batch, error) -> {
			if (error == null) {
				onRecords(batch);
			}
			else if (this.source.retryAtOnce(error)) {
				countError(error);
				this.consecutiveErrors = 0;
				this.consumer.schedule(this::read, 0);
			}
			else {
				onError(error, this::read);
			}
		});
	}

	boolean isStopRequested() {
		return this.stopRequested;
	}

	Map<String, String> labels() {
		return this.labels;
	}

	private void onRecords(RecordSource.Batch response) {
		if (stopIfRequested()) {
			// read after the stop: not handed over, not checkpointed; the next owner
			// reads it again
			return;
		}
		this.consecutiveErrors = 0;
		if (this.state == ShardStatus.State.RETRYING) {
			this.state = ShardStatus.State.RUNNING;
		}
		List<Record> records = response.records();
		List<KinesisRecord<byte[]>> expanded = new ArrayList<>(records.size());
		for (Record record : records) {
			expanded.addAll(this.consumer.recordExpander().expand(this.consumer.streamName(), this.shardId, record));
		}
		int reread = skipHandled(records, expanded);
		long bytes = 0;
		for (Record record : records.subList(reread, records.size())) {
			bytes += record.data().asByteArrayUnsafe().length;
		}
		MetricsCollector metrics = this.consumer.metrics();
		if (records.size() > reread) {
			metrics.increment(MetricType.CONSUMER_RECORDS_RECEIVED, records.size() - reread, this.labels);
			metrics.increment(MetricType.CONSUMER_BYTES_RECEIVED, bytes, this.labels);
		}
		updateLag(response, records.size() - reread);
		if (response.childShardsSeen()) {
			this.consumer.requestShardRefresh();
		}
		boolean ended = response.shardEnded();
		this.dispatching = !expanded.isEmpty();
		CompletableFuture<Void> handled = expanded.isEmpty() ? CompletableFuture.completedFuture(null)
				: this.consumer.dispatch(this, expanded).thenCompose((ignored) -> {
					KinesisRecord<byte[]> last = expanded.get(expanded.size() - 1);
					this.lastHandled = new Checkpoint(last.sequenceNumber(), last.subSequenceNumber());
					return maybeCheckpoint(ended);
				});
		handled.whenComplete((ignored, error) -> {
			this.dispatching = false;
			if (error != null && AwsErrors.unwrap(error) instanceof LeaseLostException) {
				onLeaseLost();
				return;
			}
			if (ended) {
				finish();
				return;
			}
			this.consumer.schedule(this::read, this.source.nextReadDelayNanos(response));
		});
	}

	/**
	 * After {@link #openIterator()} resumed AT the checkpoint's record, drops the user
	 * records of that record up to the checkpoint's sub-sequence number; only in the
	 * first records read.
	 * @return 1 when the checkpoint's record was read again and held nothing new (it is
	 * then not counted as received), else 0
	 */
	private int skipHandled(List<Record> records, List<KinesisRecord<byte[]>> expanded) {
		Checkpoint resumed = this.resumeAt;
		if (resumed == null || records.isEmpty()) {
			return 0;
		}
		this.resumeAt = null;
		String sequence = resumed.sequenceNumber();
		if (!records.get(0).sequenceNumber().equals(sequence)) {
			return 0;
		}
		expanded.removeIf((record) -> record.sequenceNumber().equals(sequence)
				&& record.subSequenceNumber() <= resumed.subSequenceNumber());
		return (expanded.isEmpty() || !expanded.get(0).sequenceNumber().equals(sequence)) ? 1 : 0;
	}

	private void updateLag(RecordSource.Batch response, int received) {
		long now = System.nanoTime();
		double seconds = Math.max(1e-3, (now - this.lastFetchNanos) / 1e9);
		double rate = received / Math.max(seconds, this.consumer.options().minFetchInterval().toNanos() / 1e9);
		this.recordsPerSecond = (this.recordsPerSecond == 0) ? rate : 0.8 * this.recordsPerSecond + 0.2 * rate;
		Long behind = response.millisBehindLatest();
		if (behind == null) {
			return;
		}
		this.millisBehindLatest = behind;
		MetricsCollector metrics = this.consumer.metrics();
		metrics.gauge(MetricType.CONSUMER_ITERATOR_AGE, behind, this.labels);
		// records behind the tip: time behind times the rate this shard was read at
		// recently
		double lag = (behind == 0) ? 0 : Math.ceil(behind / 1000.0 * this.recordsPerSecond);
		metrics.gauge(MetricType.CONSUMER_LAG_RECORDS, lag, this.labels);
	}

	private CompletableFuture<Void> maybeCheckpoint(boolean force) {
		Checkpoint position = this.lastHandled;
		if (position == null || position.equals(this.lastWritten)) {
			return CompletableFuture.completedFuture(null);
		}
		long now = System.nanoTime();
		if (!force && now - this.lastCheckpointNanos < this.consumer.options().checkpointInterval().toNanos()) {
			return CompletableFuture.completedFuture(null);
		}
		return writeCheckpoint(position).thenRun(() -> this.lastCheckpointNanos = now);
	}

	private CompletableFuture<Void> writeCheckpoint(Checkpoint position) {
		return this.consumer.checkpointer().checkpoint(this.shardId, position).handle((ok, error) -> {
			if (error == null) {
				this.lastWritten = position;
				return null;
			}
			Throwable cause = AwsErrors.unwrap(error);
			if (cause instanceof LeaseLostException lost) {
				throw lost;
			}
			// the records stay handled; the next checkpoint covers them
			logger.warn("Checkpoint of shard {} of stream '{}' at {} failed: {}", this.shardId,
					this.consumer.streamName(), position, cause.toString());
			return null;
		});
	}

	/** Writes the last handled position, for a release or shutdown; never fails. */
	CompletableFuture<Void> flushCheckpoint() {
		Checkpoint position = this.lastHandled;
		if (position == null || position.equals(this.lastWritten) || this.state == ShardStatus.State.FINISHED) {
			return CompletableFuture.completedFuture(null);
		}
		return writeCheckpoint(position).exceptionally((error) -> null);
	}

	private void finish() {
		this.consumer.checkpointer().checkpoint(this.shardId, Checkpoint.SHARD_END).whenComplete((ok, error) -> {
			if (error != null) {
				if (AwsErrors.unwrap(error) instanceof LeaseLostException) {
					onLeaseLost();
					return;
				}
				onError(error, this::finish);
				return;
			}
			logger.info("Shard {} of stream '{}' read to its end", this.shardId, this.consumer.streamName());
			this.lastWritten = Checkpoint.SHARD_END;
			this.state = ShardStatus.State.FINISHED;
			this.stopRequested = true;
			this.source.close();
			this.stopped.complete(null);
			this.consumer.onShardFinished(this);
		});
	}

	private void onLeaseLost() {
		logger.warn("Lease of shard {} of stream '{}' was lost; stopped reading it", this.shardId,
				this.consumer.streamName());
		this.consumer.metrics().increment(MetricType.CONSUMER_ERRORS, 1, errorLabels(KinesisConsumer.LEASE_LOST));
		this.lastError = KinesisConsumer.LEASE_LOST;
		stop(ShardStatus.State.STOPPED);
		this.stopped.complete(null);
		this.consumer.onLeaseLost(this);
	}

	private void onError(Throwable error, Runnable retry) {
		if (stopIfRequested()) {
			return;
		}
		countError(error);
		int attempt = ++this.consecutiveErrors;
		this.state = ShardStatus.State.RETRYING;
		long delay = this.consumer.errorBackoff().delayNanos(attempt);
		if (attempt == 1 || attempt % 10 == 0) {
			logger.warn("Reading shard {} of stream '{}' failed ({} in a row, retrying in {} ms): {}", this.shardId,
					this.consumer.streamName(), attempt, TimeUnit.NANOSECONDS.toMillis(delay),
					AwsErrors.unwrap(error).toString());
		}
		this.consumer.schedule(retry, delay);
	}

	private void countError(Throwable error) {
		String type = (AwsErrors.unwrap(error) instanceof FanOutSource.SubscriptionException subscription)
				? subscription.errorCode() : AwsErrors.errorType(error);
		this.lastError = type + ": " + AwsErrors.unwrap(error).getMessage();
		this.consumer.metrics().increment(MetricType.CONSUMER_ERRORS, 1, errorLabels(type));
	}

	private Map<String, String> errorLabels(String type) {
		return Map.of(MetricLabels.STREAM_NAME, this.consumer.streamName(), MetricLabels.SHARD_ID, this.shardId,
				MetricLabels.ERROR_TYPE, type);
	}

	private boolean stopIfRequested() {
		if (this.stopRequested) {
			this.stopped.complete(null);
			return true;
		}
		return false;
	}

	/**
	 * Runs an SDK call, turning an exception thrown before the future into a failed one.
	 */
	static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> call) {
		try {
			return call.get();
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/** Passes a failure on from inside a future's handler. */
	static CompletionException rethrow(Throwable error) {
		return (error instanceof CompletionException completion) ? completion : new CompletionException(error);
	}

	@Override
	public String toString() {
		return "ShardReader[" + this.shardId + ", " + this.state + "]";
	}

}
