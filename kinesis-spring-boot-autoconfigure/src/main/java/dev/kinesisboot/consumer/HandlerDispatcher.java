package dev.kinesisboot.consumer;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.support.Backoff;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Futures;
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

	/** The {@code error_type} of a handler call that threw. */
	static final String HANDLER_ERROR = "handler";

	/** The {@code error_type} of a recovery (a dead-letter send) that failed. */
	static final String RECOVERY_ERROR = "recovery";

	/** How long one recovery may take before it counts as failed and is tried again. */
	static final long RECOVERY_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(2);

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
				runBatch(shard, records, 1, null, done);
			}
			return done.whenComplete((ok, error) -> {
				this.backPressure.release(size);
				if (error == null) {
					shard.recovered();
				}
			});
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
					ConsumerErrorHandler.Decision decision = decide(shard, List.of(record), failure, tries);
					if (decision != ConsumerErrorHandler.Decision.SKIP) {
						if (i > from) {
							// what passed before the failing record stays passed
							shard.handledUpTo(records.get(i - 1));
						}
						int index = i;
						if (decision == ConsumerErrorHandler.Decision.RETRY) {
							int next = tries + 1;
							retryLater(shard, done, tries, () -> runRecords(shard, records, index, next, done));
						}
						else {
							recover(shard, List.of(record), failure, tries, done,
									() -> runRecords(shard, records, index + 1, 1, done));
						}
						return;
					}
					tries = 1;
					mark = this.context.scheduler().nanoTime();
				}
				done.complete(null);
			}
			finally {
				try {
					this.context.metrics().durations(MetricType.CONSUMER_PROCESSING_TIME, times, timed, shard.labels());
				}
				catch (RuntimeException ex) {
					// a retry may be scheduled already: failing the dispatch here would
					// start a second chain on the same records
					logger.warn("Metrics collector failed to record processing times", ex);
				}
			}
		});
	}

	/**
	 * Hands a batch over.
	 * @param attempt the attempt number, counted per thing that failed: the whole batch,
	 * or the one record the handler named
	 * @param failedBefore what failed in the previous attempt: {@code null} when there
	 * was none, the batch itself, or the named record
	 */
	private void runBatch(Shard shard, List<KinesisRecord<byte[]>> records, int attempt, Object failedBefore,
			CompletableFuture<Void> done) {
		execute(done, () -> {
			if (shard.isStopRequested()) {
				done.completeExceptionally(new ShardStoppedException(shard.shardId()));
				return;
			}
			Throwable failure = invoke(shard, () -> this.batchHandler.handle(records));
			if (failure == null) {
				done.complete(null);
				return;
			}
			BatchListenerFailedException named = namedFailure(failure);
			int index = (named != null) ? named.indexIn(records) : -1;
			if (index < 0) {
				if (named != null) {
					logger.warn("A batch handler of stream '{}' named a failed record that is not in its batch of {}; "
							+ "the whole batch counts as failed", this.context.streamName(), records.size());
				}
				onBatchFailure(shard, records, failure, (records == failedBefore) ? attempt : 1, records, done, null);
				return;
			}
			// the records before the named one were handled; it fails alone, and the ones
			// after it are handed over again once it is dealt with
			if (index > 0) {
				shard.handledUpTo(records.get(index - 1));
			}
			Throwable cause = (named.getCause() != null) ? named.getCause() : named;
			List<KinesisRecord<byte[]>> rest = records.subList(index + 1, records.size());
			Runnable next = () -> {
				if (rest.isEmpty()) {
					done.complete(null);
				}
				else {
					runBatch(shard, rest, 1, null, done);
				}
			};
			KinesisRecord<byte[]> failed = records.get(index);
			onBatchFailure(shard, records.subList(index, records.size()), cause, (failed == failedBefore) ? attempt : 1,
					failed, done, next);
		});
	}

	/**
	 * The {@link BatchListenerFailedException} a batch handler threw, also when wrapped
	 * (a {@code CompletionException} from a join inside the handler).
	 */
	private static BatchListenerFailedException namedFailure(Throwable failure) {
		Throwable cause = failure;
		for (int depth = 0; cause != null && depth < 16; depth++, cause = cause.getCause()) {
			if (cause instanceof BatchListenerFailedException named) {
				return named;
			}
		}
		return null;
	}

	/**
	 * Deals with a failed batch: with {@code next}, only its first record failed (the
	 * handler named it), else the whole batch. Retries from it, or skips or recovers what
	 * failed and goes on.
	 */
	private void onBatchFailure(Shard shard, List<KinesisRecord<byte[]>> failed, Throwable failure, int attempt,
			Object what, CompletableFuture<Void> done, Runnable next) {
		boolean whole = next == null;
		List<KinesisRecord<byte[]>> given = whole ? failed : List.of(failed.get(0));
		Runnable after = whole ? () -> done.complete(null) : next;
		switch (decide(shard, given, failure, attempt)) {
			// the batch handed over again starts with what failed; only the same batch
			// (or
			// the same named record) failing again counts as the next attempt
			case RETRY -> retryLater(shard, done, attempt, () -> runBatch(shard, failed, attempt + 1, what, done));
			case SKIP -> {
				shard.recoveredUpTo(given.get(given.size() - 1));
				after.run();
			}
			case RECOVER -> recover(shard, given, failure, attempt, done, after);
		}
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
		shard.failing(HANDLER_ERROR, failure);
		ConsumerErrorHandler.Decision decision;
		try {
			decision = this.errorHandler.handle(records, failure, attempt);
		}
		catch (RuntimeException ex) {
			logger.warn("Error handler failed; retrying", ex);
			decision = null;
		}
		if (decision == null) {
			decision = ConsumerErrorHandler.Decision.RETRY;
		}
		if (attempt == 1 || attempt % 10 == 0 || decision != ConsumerErrorHandler.Decision.RETRY) {
			logger.warn("Handler failed on {} (attempt {}, {}): {}",
					(records.size() == 1) ? records.get(0) : records.size() + " records of shard " + shard.shardId(),
					attempt, decision.name().toLowerCase(Locale.ROOT), failure.toString());
		}
		return decision;
	}

	/**
	 * Recovers the records one at a time, then runs {@code next}. A record counts as
	 * handled once its recovery completed, so a recovery that fails part-way does not
	 * recover the earlier records again; it is tried again after a back-off, without
	 * calling the handler, until it succeeds or the shard stops.
	 */
	private void recover(Shard shard, List<KinesisRecord<byte[]>> records, Throwable failure, int attempts,
			CompletableFuture<Void> done, Runnable next) {
		recoverFrom(shard, records, 0, failure, attempts, 1, done, next);
	}

	private void recoverFrom(Shard shard, List<KinesisRecord<byte[]>> records, int from, Throwable failure,
			int attempts, int tries, CompletableFuture<Void> done, Runnable next) {
		for (int i = from; i < records.size(); i++) {
			if (shard.isStopRequested()) {
				done.completeExceptionally(new ShardStoppedException(shard.shardId()));
				return;
			}
			KinesisRecord<byte[]> record = records.get(i);
			CompletableFuture<Void> recovery = startRecovery(record, failure, attempts);
			if (recovery.isDone() && !recovery.isCompletedExceptionally()) {
				// recovered at once (a log line): no hop through a callback
				shard.recoveredUpTo(record);
				continue;
			}
			int index = i;
			recovery.whenComplete((ok, error) -> {
				try {
					if (error == null) {
						shard.recoveredUpTo(record);
						execute(done, () -> recoverFrom(shard, records, index + 1, failure, attempts, 1, done, next));
						return;
					}
					shard.failing(RECOVERY_ERROR, error);
					if (tries == 1 || tries % 10 == 0) {
						logger.error("Could not recover {} ({} attempt(s) so far); it is not checkpointed and recovery "
								+ "is retried: {}", record, tries, AwsErrors.unwrap(error).toString());
					}
					retryLater(shard, done, tries, () -> execute(done,
							() -> recoverFrom(shard, records, index, failure, attempts, tries + 1, done, next)));
				}
				catch (Throwable ex) {
					// a failing metrics collector or timer must not leave the dispatch
					// unfinished
					done.completeExceptionally(ex);
				}
			});
			return;
		}
		next.run();
	}

	/**
	 * Starts the recovery of one record, bounded in time: a recoverer whose future never
	 * completes counts as failed after {@link #RECOVERY_TIMEOUT_NANOS} and is tried
	 * again, so the shard's dispatch cannot hang on it.
	 */
	private CompletableFuture<Void> startRecovery(KinesisRecord<byte[]> record, Throwable failure, int attempts) {
		CompletableFuture<Void> recovery;
		try {
			recovery = Futures.call(() -> this.errorHandler.recover(record, failure, attempts));
		}
		catch (Throwable ex) {
			// an Error while recovering (out of memory building an envelope) is a failed
			// recovery, not a failed dispatch that would hand the records over again
			recovery = CompletableFuture.failedFuture(ex);
		}
		return Futures.withTimeout(recovery, this.context.scheduler(), RECOVERY_TIMEOUT_NANOS,
				"The recoverer of " + record);
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
