package dev.kinesisboot.consumer;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.support.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the application's handler on the handler executor: one record at a time per shard
 * ({@link RecordHandler}) or a whole batch ({@link BatchHandler}). A handler that throws
 * anything, {@link Error}s included, is retried with back-off or skipped, as the
 * {@link ConsumerErrorHandler} decides; nothing else skips a record. No record starts
 * once its shard was asked to stop. Thread-safe.
 */
final class HandlerDispatcher implements Dispatcher {

	private static final Logger logger = LoggerFactory.getLogger(HandlerDispatcher.class);

	private final StreamContext context;

	private final RecordHandler recordHandler;

	private final BatchHandler batchHandler;

	private final ConsumerErrorHandler errorHandler;

	private final Executor executor;

	private final Backoff retryBackoff;

	private final BackPressure backPressure;

	private HandlerDispatcher(StreamContext context, RecordHandler recordHandler, BatchHandler batchHandler,
			ConsumerErrorHandler errorHandler, Executor executor) {
		this.context = context;
		this.recordHandler = recordHandler;
		this.batchHandler = batchHandler;
		this.errorHandler = errorHandler;
		this.executor = executor;
		this.retryBackoff = new Backoff(context.options().handlerRetryBackoffBase(),
				context.options().handlerRetryBackoffMax());
		this.backPressure = new BackPressure(context);
	}

	static HandlerDispatcher forRecords(StreamContext context, RecordHandler handler, ConsumerErrorHandler errorHandler,
			Executor executor) {
		return new HandlerDispatcher(context, handler, null, errorHandler, executor);
	}

	static HandlerDispatcher forBatches(StreamContext context, BatchHandler handler, ConsumerErrorHandler errorHandler,
			Executor executor) {
		return new HandlerDispatcher(context, null, handler, errorHandler, executor);
	}

	@Override
	public CompletableFuture<Void> dispatch(Shard shard, List<KinesisRecord<byte[]>> records) {
		int size = records.size();
		return this.backPressure.acquire(shard, size).thenCompose((admitted) -> {
			CompletableFuture<Void> done = new CompletableFuture<>();
			if (this.recordHandler != null) {
				runRecords(shard, records, 0, 1, done);
			}
			else {
				runBatch(shard, records, 1, done);
			}
			return done.whenComplete((ok, error) -> this.backPressure.release(size));
		});
	}

	private void runRecords(Shard shard, List<KinesisRecord<byte[]>> records, int from, int attempt,
			CompletableFuture<Void> done) {
		execute(done, () -> {
			// each record is timed, one clock read per record (its end is the next one's
			// start); the times are reported once per batch, as many observations
			long[] times = new long[records.size() - from];
			int timed = 0;
			try {
				int tries = attempt;
				long mark = this.context.scheduler().nanoTime();
				for (int i = from; i < records.size(); i++) {
					if (shard.isStopRequested()) {
						// the lease may be someone else's by now: hand nothing more over
						if (i > from) {
							shard.handledUpTo(records.get(i - 1));
						}
						done.completeExceptionally(new ShardStoppedException(shard.shardId()));
						return;
					}
					KinesisRecord<byte[]> record = records.get(i);
					Throwable failure = call(() -> this.recordHandler.handle(record));
					long now = this.context.scheduler().nanoTime();
					times[timed++] = now - mark;
					mark = now;
					if (failure == null) {
						tries = 1;
						continue;
					}
					if (decide(shard, List.of(record), failure, tries) == ConsumerErrorHandler.Decision.RETRY) {
						if (i > from) {
							// what passed before the failing record stays passed
							shard.handledUpTo(records.get(i - 1));
						}
						int index = i;
						int next = tries + 1;
						retryLater(shard, done, tries, () -> runRecords(shard, records, index, next, done));
						return;
					}
					tries = 1;
					mark = this.context.scheduler().nanoTime();
				}
				done.complete(null);
			}
			finally {
				this.context.metrics().durations(MetricType.CONSUMER_PROCESSING_TIME, times, timed, shard.labels());
			}
		});
	}

	private void runBatch(Shard shard, List<KinesisRecord<byte[]>> records, int attempt, CompletableFuture<Void> done) {
		execute(done, () -> {
			if (shard.isStopRequested()) {
				done.completeExceptionally(new ShardStoppedException(shard.shardId()));
				return;
			}
			Throwable failure = invoke(shard, () -> this.batchHandler.handle(records));
			if (failure != null && decide(shard, records, failure, attempt) == ConsumerErrorHandler.Decision.RETRY) {
				retryLater(shard, done, attempt, () -> runBatch(shard, records, attempt + 1, done));
				return;
			}
			done.complete(null);
		});
	}

	/**
	 * Runs work on the handler executor; whatever escapes it (a failing metrics
	 * collector, a refused task) fails the dispatch instead of leaving it unfinished.
	 */
	private void execute(CompletableFuture<Void> done, Runnable work) {
		try {
			this.executor.execute(() -> {
				try {
					work.run();
				}
				catch (Throwable ex) {
					done.completeExceptionally(ex);
				}
			});
		}
		catch (RuntimeException ex) {
			done.completeExceptionally(ex);
		}
	}

	private Throwable invoke(Shard shard, HandlerCall call) {
		long start = this.context.scheduler().nanoTime();
		Throwable failure = call(call);
		this.context.metrics()
			.histogram(MetricType.CONSUMER_PROCESSING_TIME, (this.context.scheduler().nanoTime() - start) / 1e9,
					shard.labels());
		return failure;
	}

	/**
	 * Calls the handler; whatever it throws, {@link Error}s too (a StackOverflowError in
	 * one record), fails that call, not the shard's reading.
	 */
	private static Throwable call(HandlerCall call) {
		try {
			call.run();
			return null;
		}
		catch (Throwable ex) {
			return ex;
		}
	}

	private ConsumerErrorHandler.Decision decide(Shard shard, List<KinesisRecord<byte[]>> records, Throwable failure,
			int attempt) {
		ConsumerErrorHandler.Decision decision;
		try {
			decision = this.errorHandler.handle(records, failure, attempt);
		}
		catch (RuntimeException ex) {
			logger.warn("Error handler failed; retrying", ex);
			decision = ConsumerErrorHandler.Decision.RETRY;
		}
		if (attempt == 1 || attempt % 10 == 0 || decision == ConsumerErrorHandler.Decision.SKIP) {
			logger.warn("Handler failed on {} (attempt {}, {}): {}",
					(records.size() == 1) ? records.get(0) : records.size() + " records of shard " + shard.shardId(),
					attempt, (decision == ConsumerErrorHandler.Decision.RETRY) ? "will retry" : "skipped",
					failure.toString());
		}
		return decision;
	}

	private void retryLater(Shard shard, CompletableFuture<Void> done, int attempt, Runnable retry) {
		if (shard.isStopRequested()) {
			done.completeExceptionally(new ShardStoppedException(shard.shardId()));
			return;
		}
		this.context.schedule(retry, this.retryBackoff.delayNanos(attempt, this.context.scheduler().random()));
	}

	@FunctionalInterface
	private interface HandlerCall {

		void run() throws Exception;

	}

}
