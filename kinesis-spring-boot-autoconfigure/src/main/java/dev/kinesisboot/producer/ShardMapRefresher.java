package dev.kinesisboot.producer;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Futures;
import dev.kinesisboot.support.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Reads the stream's shard map again every
 * {@link ProducerOptions#shardRefreshInterval()}, and soon after Kinesis names a shard
 * the map does not know, so that records follow resharding; hands each map read to its
 * consumer. One read at a time; a failed read is logged and tried again at the next
 * interval. Thread-safe.
 */
final class ShardMapRefresher {

	private static final Logger logger = LoggerFactory.getLogger(ShardMapRefresher.class);

	private final Supplier<CompletableFuture<List<Shard>>> listShards;

	private final Scheduler scheduler;

	private final long intervalNanos;

	private final Consumer<ShardMap> onMap;

	private final String streamName;

	private Scheduler.Cancellable next = Scheduler.Cancellable.NONE;

	private boolean reading;

	private boolean requested;

	private boolean closed;

	ShardMapRefresher(Supplier<CompletableFuture<List<Shard>>> listShards, Scheduler scheduler, long intervalNanos,
			Consumer<ShardMap> onMap, String streamName) {
		this.listShards = listShards;
		this.scheduler = scheduler;
		this.intervalNanos = intervalNanos;
		this.onMap = onMap;
		this.streamName = streamName;
	}

	/** Schedules the first periodic read. */
	synchronized void start() {
		if (!this.closed) {
			this.next = this.scheduler.schedule(this::read, this.intervalNanos);
		}
	}

	/** Reads the map again soon (once, however often asked while a read is on). */
	synchronized void requestRefresh() {
		if (this.closed) {
			return;
		}
		if (this.reading) {
			this.requested = true;
			return;
		}
		this.next.cancel();
		this.next = this.scheduler.schedule(this::read, 0);
	}

	synchronized void close() {
		this.closed = true;
		this.next.cancel();
	}

	private void read() {
		synchronized (this) {
			if (this.closed || this.reading) {
				return;
			}
			this.reading = true;
			this.requested = false;
		}
		Futures.call(this.listShards).whenComplete((shards, error) -> {
			if (error != null) {
				logger.warn("Could not refresh the shards of stream '{}': {}", this.streamName,
						AwsErrors.unwrap(error).toString());
			}
			else {
				this.onMap.accept(ShardMap.of(shards));
			}
			synchronized (this) {
				this.reading = false;
				if (!this.closed) {
					this.next = this.scheduler.schedule(this::read, this.requested ? 0 : this.intervalNanos);
				}
			}
		});
	}

}
