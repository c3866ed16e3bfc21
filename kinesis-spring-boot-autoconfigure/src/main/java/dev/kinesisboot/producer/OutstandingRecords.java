package dev.kinesisboot.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Counts the records put and not yet completed, so that {@code flush} and {@code close}
 * can wait for the records put before them: a count and a put number per record, instead
 * of a set entry and a callback on every future (both cost CPU per record, and a flush
 * that waited on each future added two more objects per record). Thread-safe; no user
 * code runs under its lock.
 */
final class OutstandingRecords {

	/** Written under {@code this}. */
	private long lastNumber;

	private long unsettled;

	private final List<Waiter> waiters = new ArrayList<>();

	/** Waiters whose records are all settled, to complete once the lock is let go. */
	private List<Waiter> finished;

	/**
	 * Numbers a record and counts it until {@link #settled(List)} or
	 * {@link #settled(PendingRecord)} names it.
	 * @param record a record about to be queued
	 */
	synchronized void added(PendingRecord record) {
		record.putNumber = ++this.lastNumber;
		this.unsettled++;
	}

	/**
	 * A future completed once every record added so far is settled.
	 * @return the future, already completed when none is outstanding
	 */
	synchronized CompletableFuture<Void> whenSettled() {
		if (this.unsettled == 0) {
			return CompletableFuture.completedFuture(null);
		}
		Waiter waiter = new Waiter(this.lastNumber, this.unsettled);
		this.waiters.add(waiter);
		return waiter.future;
	}

	/**
	 * Counts one record as settled; its future must be completed already.
	 * @param record the record
	 */
	void settled(PendingRecord record) {
		List<Waiter> done;
		synchronized (this) {
			settle(record);
			done = takeFinished();
		}
		complete(done);
	}

	/**
	 * Counts the records of completions that ran as settled: their futures are completed.
	 * A record counts once, however often it is named.
	 * @param tasks tasks that ran; the records of those that are {@link Completion}s
	 * count (others, such as the marker that a stop's failures ran, name none)
	 */
	void settled(List<? extends Runnable> tasks) {
		List<Waiter> done;
		synchronized (this) {
			Consumer<PendingRecord> settle = this::settle;
			for (Runnable task : tasks) {
				if (task instanceof Completion completion) {
					completion.forEachRecord(settle);
				}
			}
			done = takeFinished();
		}
		complete(done);
	}

	/** Under the lock. */
	private List<Waiter> takeFinished() {
		List<Waiter> done = this.finished;
		this.finished = null;
		return done;
	}

	private static void complete(List<Waiter> done) {
		if (done != null) {
			done.forEach((waiter) -> waiter.future.complete(null));
		}
	}

	/** Under the lock. */
	private void settle(PendingRecord record) {
		if (record.putNumber == 0 || record.settled) {
			return;
		}
		record.settled = true;
		this.unsettled--;
		for (int i = this.waiters.size() - 1; i >= 0; i--) {
			Waiter waiter = this.waiters.get(i);
			if (record.putNumber <= waiter.throughNumber && --waiter.remaining == 0) {
				this.waiters.remove(i);
				if (this.finished == null) {
					this.finished = new ArrayList<>();
				}
				this.finished.add(waiter);
			}
		}
	}

	/** A wait for the records numbered up to a number, and how many of them are left. */
	private static final class Waiter {

		final long throughNumber;

		long remaining;

		final CompletableFuture<Void> future = new CompletableFuture<>();

		Waiter(long throughNumber, long remaining) {
			this.throughNumber = throughNumber;
			this.remaining = remaining;
		}

	}

}
