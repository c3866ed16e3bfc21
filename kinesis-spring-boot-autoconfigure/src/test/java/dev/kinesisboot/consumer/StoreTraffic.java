package dev.kinesisboot.consumer;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * What the lease store was asked, counted in windows of virtual time: calls by kind,
 * items and bytes read and written, DynamoDB capacity units and Redis commands, in total,
 * per worker and per partition key. Thread-safe (the real-store check counts from many
 * threads); the virtual clock's model calls it from one.
 */
final class StoreTraffic {

	/** The store calls, named after the DynamoDB request each one is. */
	enum Kind {

		/** One page (at most 1 MB) of the Query that lists every lease. */
		QUERY("Query pages"),

		/** A checkpoint read when a reader starts, or after a refused checkpoint. */
		GET_ITEM("GetItem"),

		/** A conditional UpdateItem taking (or stealing) a lease. */
		TAKE("take"),

		/** A conditional UpdateItem renewing a lease. */
		RENEW("renew"),

		/** A conditional UpdateItem writing a checkpoint. */
		CHECKPOINT("checkpoint"),

		/** A conditional UpdateItem releasing a lease. */
		RELEASE("release"),

		/** An UpdateItem writing a worker's heartbeat (or a DeleteItem ending it). */
		BEAT("beat"),

		/**
		 * One page of the Query that reads every worker's heartbeat after writing one.
		 */
		BEAT_QUERY("beat Query pages");

		final String label;

		Kind(String label) {
			this.label = label;
		}

	}

	private Window current;

	StoreTraffic(long startNanos) {
		this.current = new Window(startNanos);
	}

	/**
	 * Ends the current window and opens the next.
	 * @param nowNanos the virtual time
	 * @return the window that ended
	 */
	synchronized Window next(long nowNanos) {
		Window ended = this.current;
		ended.endNanos = nowNanos;
		this.current = new Window(nowNanos);
		return ended;
	}

	synchronized void read(String worker, String partitionKey, Kind kind, long items, long bytes, long readUnits,
			long redisCommands) {
		for (Tally tally : this.current.tallies(worker, partitionKey)) {
			tally.calls[kind.ordinal()]++;
			tally.itemsRead += items;
			tally.bytesRead += bytes;
			tally.readUnits += readUnits;
			tally.redisCommands += redisCommands;
		}
	}

	synchronized void write(String worker, String partitionKey, Kind kind, boolean applied, long bytes, long writeUnits,
			long redisCommands) {
		for (Tally tally : this.current.tallies(worker, partitionKey)) {
			tally.calls[kind.ordinal()]++;
			if (applied) {
				tally.itemsWritten++;
				tally.bytesWritten += bytes;
			}
			else {
				tally.refused++;
			}
			tally.writeUnits += writeUnits;
			tally.redisCommands += redisCommands;
		}
	}

	/**
	 * Counts of one stretch of virtual time.
	 */
	static final class Window {

		final long startNanos;

		long endNanos;

		final Tally total = new Tally();

		final Map<String, Tally> byWorker = new TreeMap<>();

		final Map<String, Tally> byPartitionKey = new TreeMap<>();

		Window(long startNanos) {
			this.startNanos = startNanos;
		}

		private Tally[] tallies(String worker, String partitionKey) {
			return new Tally[] { this.total, this.byWorker.computeIfAbsent(worker, (id) -> new Tally()),
					this.byPartitionKey.computeIfAbsent(partitionKey, (key) -> new Tally()) };
		}

		double seconds() {
			return (this.endNanos - this.startNanos) / 1e9;
		}

		/**
		 * A count per second.
		 * @param count the count
		 * @return the rate over this window
		 */
		double perSecond(long count) {
			return count / seconds();
		}

		/**
		 * The highest rate of one worker.
		 * @param count what to count
		 * @return per second
		 */
		double busiestWorker(ToLongFunction<Tally> count) {
			return perSecond(max(this.byWorker.values(), count));
		}

		/**
		 * The highest rate of one partition key.
		 * @param count what to count
		 * @return per second
		 */
		double hottestPartitionKey(ToLongFunction<Tally> count) {
			return perSecond(max(this.byPartitionKey.values(), count));
		}

		private static long max(Collection<Tally> tallies, ToLongFunction<Tally> count) {
			return tallies.stream().max(Comparator.comparingLong(count)).map(count::applyAsLong).orElse(0L);
		}

	}

	/**
	 * Counts of one window, for everything or one worker or one partition key.
	 */
	static final class Tally {

		final long[] calls = new long[Kind.values().length];

		long itemsRead;

		long itemsWritten;

		long bytesRead;

		long bytesWritten;

		long readUnits;

		long writeUnits;

		/** Conditional writes whose condition failed (they cost units all the same). */
		long refused;

		/** What the same calls cost a {@code RedisCheckpointer}, in commands. */
		long redisCommands;

		long calls(Kind kind) {
			return this.calls[kind.ordinal()];
		}

		long allCalls() {
			long sum = 0;
			for (long count : this.calls) {
				sum += count;
			}
			return sum;
		}

	}

}
