package dev.kinesisboot.consumer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.kinesisboot.support.Futures;
import dev.kinesisboot.support.Scheduler;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.model.StartingPosition;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEventStream;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardRequest;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

/**
 * Reads a shard over enhanced fan-out: one SubscribeToShard subscription at a time,
 * asking it for one event per {@link #read()}, so Kinesis pushes no faster than the
 * handlers go. A subscription older than {@link ConsumerOptions#subscriptionRenewal()} is
 * replaced before the next read; one that fails, ends early or stays silent for
 * {@link ConsumerOptions#subscriptionTimeout()} fails the read, and the reader retries
 * with back-off. Every new subscription starts right after the last handled record.
 * <p>
 * Callbacks of a replaced subscription are recognised by their generation and ignored.
 */
final class FanOutSource implements RecordSource {

	/** Error code counted when Kinesis ends a subscription before its renewal. */
	static final String ENDED_EARLY = "SubscriptionEndedEarly";

	/** Error code counted when a subscription delivered nothing for too long. */
	static final String SILENT = "SubscriptionTimeout";

	/** Kinesis ends every subscription after 5 minutes; sooner is early. */
	private static final long NATURAL_END_NANOS = TimeUnit.SECONDS.toNanos(295);

	private static final long END_CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);

	private static final Logger logger = LoggerFactory.getLogger(FanOutSource.class);

	private final StreamContext context;

	private final String shardId;

	private final ShardPositions positions;

	private final BooleanSupplier shardClosed;

	private final String consumerArn;

	private int generation;

	private Subscription subscription;

	private boolean subscribing;

	private long subscribedAtNanos;

	private CompletableFuture<Batch> pending;

	/** A failure that came while no read was waiting; the next read reports it. */
	private Throwable failure;

	/**
	 * Continuation of the last event: where a new subscription goes on without records
	 * handled yet.
	 */
	private String continuation;

	private boolean closed;

	private long nextEndCheckNanos;

	/**
	 * A source for one shard.
	 * @param context the stream
	 * @param shardId the shard
	 * @param positions where the shard was handled to
	 * @param consumerArn the registered stream consumer
	 * @param shardClosed whether the last shard list showed the shard closed
	 */
	FanOutSource(StreamContext context, String shardId, ShardPositions positions, String consumerArn,
			BooleanSupplier shardClosed) {
		this.context = context;
		this.shardId = shardId;
		this.positions = positions;
		this.consumerArn = consumerArn;
		this.shardClosed = shardClosed;
	}

	@Override
	public synchronized CompletableFuture<Batch> read() {
		if (this.closed) {
			return new CompletableFuture<>();
		}
		if (this.failure != null) {
			Throwable error = this.failure;
			this.failure = null;
			return CompletableFuture.failedFuture(error);
		}
		CompletableFuture<Batch> batch = new CompletableFuture<>();
		this.pending = batch;
		boolean open = this.subscription != null || this.subscribing;
		if (open && this.context.scheduler().nanoTime()
				- this.subscribedAtNanos >= this.context.options().subscriptionRenewal().toNanos()) {
			logger.debug("Renewing the subscription to shard {} of stream '{}'", this.shardId,
					this.context.streamName());
			drop();
			open = false;
		}
		if (!open) {
			subscribe();
		}
		else if (this.subscription != null) {
			this.subscription.request(1);
		}
		Scheduler.Cancellable timer = this.context.schedule(() -> timeout(batch),
				this.context.options().subscriptionTimeout().toNanos());
		batch.whenComplete((ok, error) -> timer.cancel());
		return batch;
	}

	private void subscribe() {
		int current = ++this.generation;
		this.subscribing = true;
		this.subscribedAtNanos = this.context.scheduler().nanoTime();
		StartingPosition position = this.positions.startingPosition(this.continuation);
		SubscribeToShardRequest request = SubscribeToShardRequest.builder()
			.consumerARN(this.consumerArn)
			.shardId(this.shardId)
			.startingPosition(position)
			.build();
		SubscribeToShardResponseHandler handler = SubscribeToShardResponseHandler.builder()
			.subscriber(() -> new EventSubscriber(current))
			.onError((error) -> fail(current, error))
			.build();
		Futures.call(() -> this.context.client().subscribeToShard(request, handler)).whenComplete((ok, error) -> {
			if (error != null) {
				fail(current, error);
			}
			else {
				ended(current);
			}
		});
	}

	private synchronized void onSubscribe(int current, Subscription subscription) {
		if (current != this.generation || this.closed) {
			subscription.cancel();
			return;
		}
		this.subscribing = false;
		this.subscription = subscription;
		if (this.pending != null && !this.pending.isDone()) {
			subscription.request(1);
		}
	}

	private void onEvent(int current, SubscribeToShardEvent event) {
		CompletableFuture<Batch> batch;
		synchronized (this) {
			if (current != this.generation || this.closed) {
				return;
			}
			if (event.continuationSequenceNumber() != null) {
				this.continuation = event.continuationSequenceNumber();
			}
			batch = this.pending;
			this.pending = null;
		}
		if (batch == null) {
			// only one event is asked for per read, so this does not happen; if it did,
			// dropping the event is safe: nothing was checkpointed past it, and the
			// next subscription starts after the last handled record
			logger.warn("Shard {} of stream '{}': an event came that was not asked for; re-subscribing", this.shardId,
					this.context.streamName());
			synchronized (this) {
				drop();
			}
			return;
		}
		boolean childShards = event.hasChildShards() && !event.childShards().isEmpty();
		Batch received = new Batch(event.records(), event.millisBehindLatest(), childShards,
				event.continuationSequenceNumber() == null);
		if (received.records().isEmpty() && !received.shardEnded() && endCheckDue()) {
			// Kinesis sends ChildShards and no continuation at the end of a closed shard;
			// some emulators never do, so a closed shard that goes quiet is checked once
			// with GetRecords
			PollingSource.isReadToEnd(this.context, this.shardId, this.positions.positionAfterHandled(null))
				.handle((ended, error) -> (error == null && ended)
						? new Batch(received.records(), received.millisBehindLatest(), true, true) : received)
				.thenAccept(batch::complete);
			return;
		}
		batch.complete(received);
	}

	private boolean endCheckDue() {
		long now = this.context.scheduler().nanoTime();
		if (now < this.nextEndCheckNanos || !this.shardClosed.getAsBoolean()) {
			return false;
		}
		this.nextEndCheckNanos = now + END_CHECK_INTERVAL_NANOS;
		return true;
	}

	/** Another kind of event used up the one asked for: ask for the next. */
	private synchronized void askAgain(int current) {
		if (current == this.generation && this.subscription != null) {
			this.subscription.request(1);
		}
	}

	private void ended(int current) {
		long age;
		synchronized (this) {
			if (current != this.generation || this.closed) {
				return;
			}
			age = this.context.scheduler().nanoTime() - this.subscribedAtNanos;
			if (age >= Math.min(NATURAL_END_NANOS, this.context.options().subscriptionRenewal().toNanos())) {
				// the normal end after 5 minutes: go on with a new subscription
				this.subscription = null;
				this.subscribing = false;
				if (this.pending != null && !this.pending.isDone()) {
					subscribe();
				}
				return;
			}
		}
		fail(current, new SubscriptionException(ENDED_EARLY, "Kinesis ended the subscription to shard " + this.shardId
				+ " after " + TimeUnit.NANOSECONDS.toMillis(age) + " ms"));
	}

	/** Fails a read still waiting, with whatever subscription it waits on by now. */
	private void timeout(CompletableFuture<Batch> batch) {
		int current;
		synchronized (this) {
			if (batch.isDone() || batch != this.pending) {
				return;
			}
			current = this.generation;
		}
		fail(current, new SubscriptionException(SILENT, "no event from the subscription to shard " + this.shardId
				+ " within " + this.context.options().subscriptionTimeout()));
	}

	private void fail(int current, Throwable error) {
		CompletableFuture<Batch> batch;
		synchronized (this) {
			if (current != this.generation || this.closed) {
				return;
			}
			drop();
			batch = this.pending;
			this.pending = null;
			if (batch == null || batch.isDone()) {
				this.failure = error;
				return;
			}
		}
		batch.completeExceptionally(error);
	}

	/** Cancels the current subscription; its later callbacks are ignored. */
	private void drop() {
		this.generation++;
		this.subscribing = false;
		if (this.subscription != null) {
			this.subscription.cancel();
			this.subscription = null;
		}
	}

	@Override
	public long nextReadDelayNanos(Batch batch) {
		// Kinesis pushes as records come: ask for the next event at once
		return 0;
	}

	@Override
	public synchronized void close() {
		if (!this.closed) {
			drop();
			this.closed = true;
		}
	}

	private final class EventSubscriber implements Subscriber<SubscribeToShardEventStream> {

		private final int current;

		EventSubscriber(int current) {
			this.current = current;
		}

		@Override
		public void onSubscribe(Subscription subscription) {
			FanOutSource.this.onSubscribe(this.current, subscription);
		}

		@Override
		public void onNext(SubscribeToShardEventStream event) {
			if (event instanceof SubscribeToShardEvent records) {
				onEvent(this.current, records);
			}
			else {
				askAgain(this.current);
			}
		}

		@Override
		public void onError(Throwable error) {
			fail(this.current, error);
		}

		@Override
		public void onComplete() {
			// the response future completes too; ended() handles both
		}

	}

	/** A subscription that failed without an AWS error: ended early or stayed silent. */
	static final class SubscriptionException extends RuntimeException {

		private final String errorCode;

		SubscriptionException(String errorCode, String message) {
			super(message);
			this.errorCode = errorCode;
		}

		String errorCode() {
			return this.errorCode;
		}

	}

}
