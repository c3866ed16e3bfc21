package dev.kinesisboot.producer;

import java.util.function.Consumer;

/**
 * A task that completes records' futures, run with no lock held on the callback executor.
 * It names the records it completes, so that the producer stops counting them once it
 * ran, without a callback of its own on every future.
 */
interface Completion extends Runnable {

	/**
	 * Hands each record this task completes to an action. Called under the lock of the
	 * producer's count of outstanding records: it must only hand records over.
	 * @param action the action
	 */
	void forEachRecord(Consumer<PendingRecord> action);

}
