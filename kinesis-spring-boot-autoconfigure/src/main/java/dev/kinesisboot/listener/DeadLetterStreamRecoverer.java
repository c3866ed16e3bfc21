package dev.kinesisboot.listener;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.producer.KinesisOperations;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.support.Streams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Writes each record given up on to a dead-letter stream, as a {@link DeadLetterEnvelope}
 * (the original data unchanged, with its source stream, shard, sequence number, partition
 * key, arrival time, attempts and error), under its original partition key. The send does
 * not block a listener thread. When it fails (after the producer's own retries), the
 * record is not checkpointed and the listener container tries the send again later.
 * Thread-safe.
 */
public class DeadLetterStreamRecoverer implements RecordRecoverer {

	private static final Logger logger = LoggerFactory.getLogger(DeadLetterStreamRecoverer.class);

	private final KinesisOperations operations;

	private final String stream;

	private final Clock clock;

	private final KinesisAsyncClient client;

	private final boolean createStream;

	private final int createShardCount;

	private final int maxRecordBytes;

	/**
	 * The largest envelope sent unless set otherwise: a stream's default record limit.
	 */
	public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

	/**
	 * A recoverer that sends through the given operations (a {@code KinesisTemplate}).
	 * @param operations how records are sent
	 * @param stream the dead-letter stream's name or ARN
	 */
	public DeadLetterStreamRecoverer(KinesisOperations operations, String stream) {
		this(operations, stream, Clock.systemUTC(), null, false, 0, DEFAULT_MAX_RECORD_BYTES);
	}

	private DeadLetterStreamRecoverer(KinesisOperations operations, String stream, Clock clock,
			KinesisAsyncClient client, boolean createStream, int createShardCount, int maxRecordBytes) {
		this.operations = Objects.requireNonNull(operations, "operations");
		this.stream = Objects.requireNonNull(stream, "stream");
		this.clock = Objects.requireNonNull(clock, "clock");
		this.client = client;
		this.createStream = createStream;
		this.createShardCount = createShardCount;
		this.maxRecordBytes = maxRecordBytes;
	}

	/**
	 * The same recoverer, stamping envelopes with the time of another clock.
	 * @param clock the clock
	 * @return a new recoverer
	 */
	public DeadLetterStreamRecoverer withClock(Clock clock) {
		return new DeadLetterStreamRecoverer(this.operations, this.stream, clock, this.client, this.createStream,
				this.createShardCount, this.maxRecordBytes);
	}

	/**
	 * The same recoverer for a dead-letter stream that takes larger records (up to 10 MiB
	 * since October 2025, set per stream).
	 * @param maxRecordBytes the largest envelope to send; a larger one goes without its
	 * data
	 * @return a new recoverer
	 */
	public DeadLetterStreamRecoverer withMaxRecordBytes(int maxRecordBytes) {
		return new DeadLetterStreamRecoverer(this.operations, this.stream, this.clock, this.client, this.createStream,
				this.createShardCount, maxRecordBytes);
	}

	/**
	 * The same recoverer, checking at start-up, before any listener runs, that the
	 * dead-letter stream exists: start-up fails with a clear message when it does not, or
	 * the stream is created.
	 * @param client the client to describe (and create) the stream with
	 * @param create whether to create a missing stream (for development)
	 * @param shardCount the shard count of a created stream
	 * @return a new recoverer
	 */
	public DeadLetterStreamRecoverer checkingStream(KinesisAsyncClient client, boolean create, int shardCount) {
		return new DeadLetterStreamRecoverer(this.operations, this.stream, this.clock,
				Objects.requireNonNull(client, "client"), create, shardCount, this.maxRecordBytes);
	}

	/**
	 * The dead-letter stream.
	 * @return its name or ARN
	 */
	public String getStream() {
		return this.stream;
	}

	@Override
	public CompletableFuture<Void> recover(KinesisRecord<byte[]> record, Throwable error, int attempts) {
		DeadLetterEnvelope full = DeadLetterEnvelope.of(record, error, attempts, this.clock.instant());
		byte[] envelope = full.toBytes();
		if (envelope.length > this.maxRecordBytes) {
			// base64 grows the data by a third: a record near the limit cannot be
			// wrapped;
			// sending it would fail for ever, so the log keeps the data instead
			logger.error(
					"Record too large for an envelope of {} bytes on dead-letter stream '{}'; sending it without "
							+ "its data, which is: {}",
					this.maxRecordBytes, this.stream, LoggingRecordRecoverer.describe(record, Integer.MAX_VALUE));
			envelope = full.withoutData().toBytes();
		}
		return this.operations.send(this.stream, record.partitionKey(), envelope).thenAccept((stored) -> {
			if (logger.isWarnEnabled()) {
				logger.warn("Sent {} to dead-letter stream '{}' after {} attempt(s): {}",
						LoggingRecordRecoverer.describe(record, LoggingRecordRecoverer.LOGGED_BYTES), this.stream,
						attempts, error.toString());
			}
		});
	}

	@Override
	public void verify() {
		if (this.client == null || Streams.isArn(this.stream)) {
			return;
		}
		Streams.ensureExists(this.client, this.stream, this.createStream, this.createShardCount,
				"it is the listeners' dead-letter stream: create it, or name one that exists; for development, "
						+ "let the recoverer create it (checkingStream(client, true, shardCount))");
	}

}
