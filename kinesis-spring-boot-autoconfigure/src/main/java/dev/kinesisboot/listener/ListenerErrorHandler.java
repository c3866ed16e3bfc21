package dev.kinesisboot.listener;

import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.kinesisboot.consumer.ConsumerErrorHandler;
import dev.kinesisboot.record.KinesisRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default error handler of listener containers: retries a failing listener call with
 * the consumer's back-off up to {@code maxAttempts} times (or for ever), then hands each
 * record to a {@link RecordRecoverer}. An error that retrying cannot cure (a payload that
 * cannot be converted, a wrong argument type) goes to the recoverer at once; the list of
 * such types can be extended. Thread-safe.
 */
public class ListenerErrorHandler implements ConsumerErrorHandler {

	private static final Logger logger = LoggerFactory.getLogger(ListenerErrorHandler.class);

	/** Attempts before a record is recovered, unless set otherwise. */
	public static final int DEFAULT_MAX_ATTEMPTS = 10;

	private final int maxAttempts;

	private final RecordRecoverer recoverer;

	private final Set<Class<? extends Throwable>> notRetryable = new CopyOnWriteArraySet<>(
			List.of(PayloadConversionException.class, ClassCastException.class, NoSuchMethodException.class));

	private final AtomicBoolean warnedForEver = new AtomicBoolean();

	/**
	 * A handler that makes {@value #DEFAULT_MAX_ATTEMPTS} attempts, then logs the record
	 * and goes on.
	 */
	public ListenerErrorHandler() {
		this(DEFAULT_MAX_ATTEMPTS, new LoggingRecordRecoverer());
	}

	/**
	 * Creates a handler.
	 * @param maxAttempts attempts before a record is recovered; 0 retries for ever (a
	 * record that always fails then stalls its shard)
	 * @param recoverer receives each record given up on
	 */
	public ListenerErrorHandler(int maxAttempts, RecordRecoverer recoverer) {
		if (maxAttempts < 0) {
			throw new IllegalArgumentException("maxAttempts must be 0 (retry for ever) or more, got " + maxAttempts);
		}
		this.maxAttempts = maxAttempts;
		this.recoverer = Objects.requireNonNull(recoverer, "recoverer");
	}

	/**
	 * Adds error types that go to the recoverer at once, without retrying; an error
	 * counts when it, or one of its causes, is of such a type. The defaults are
	 * {@link PayloadConversionException}, {@link ClassCastException} and
	 * {@link NoSuchMethodException}.
	 * @param types the types
	 * @return this handler
	 */
	@SafeVarargs
	public final ListenerErrorHandler addNotRetryableExceptions(Class<? extends Throwable>... types) {
		this.notRetryable.addAll(List.of(types));
		return this;
	}

	/**
	 * Lets an error type be retried again.
	 * @param type the type
	 * @return whether it was in the list
	 */
	public boolean removeNotRetryableException(Class<? extends Throwable> type) {
		return this.notRetryable.remove(type);
	}

	/**
	 * The recoverer.
	 * @return the recoverer
	 */
	public RecordRecoverer getRecoverer() {
		return this.recoverer;
	}

	/**
	 * Attempts before a record is recovered.
	 * @return the count, 0 for ever
	 */
	public int getMaxAttempts() {
		return this.maxAttempts;
	}

	@Override
	public Decision handle(List<KinesisRecord<byte[]>> records, Throwable error, int attempt) {
		if (isNotRetryable(error) || (this.maxAttempts > 0 && attempt >= this.maxAttempts)) {
			return Decision.RECOVER;
		}
		return Decision.RETRY;
	}

	@Override
	public CompletableFuture<Void> recover(KinesisRecord<byte[]> record, Throwable error, int attempts) {
		return this.recoverer.recover(record, error, attempts);
	}

	@Override
	public void verify() {
		this.recoverer.verify();
		if (this.maxAttempts == 0 && this.warnedForEver.compareAndSet(false, true)) {
			logger.warn("Listener calls are retried for ever (max-attempts 0): a record that always fails stalls its "
					+ "shard until the listener is fixed; give the error handler a number of attempts (max-attempts) to "
					+ "hand such a record to its recoverer instead");
		}
	}

	private boolean isNotRetryable(Throwable error) {
		// a bounded walk: a cause chain may loop
		Throwable cause = error;
		for (int depth = 0; cause != null && depth < 32; depth++, cause = nextCause(cause)) {
			for (Class<? extends Throwable> type : this.notRetryable) {
				if (type.isInstance(cause)) {
					return true;
				}
			}
		}
		return false;
	}

	private static Throwable nextCause(Throwable error) {
		Throwable next = (error instanceof InvocationTargetException invocation) ? invocation.getTargetException()
				: error.getCause();
		return (next == error) ? null : next;
	}

}
