package dev.kinesisboot.consumer;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a consumer's readers may fetch. While it is closed (the consumer is paused) a
 * reader's next fetch waits here instead of running; its lease is still renewed, so no
 * other worker takes the shard, and resuming runs the waiting fetches. Thread-safe.
 */
final class ReadGate {

	// guarded by this
	private boolean paused;

	// guarded by this
	private final List<Runnable> waiting = new ArrayList<>();

	/**
	 * Runs a fetch now, or when the gate opens.
	 * @param fetch the fetch; must not block
	 */
	void whenOpen(Runnable fetch) {
		synchronized (this) {
			if (this.paused) {
				this.waiting.add(fetch);
				return;
			}
		}
		fetch.run();
	}

	synchronized void pause() {
		this.paused = true;
	}

	void resume() {
		List<Runnable> ready;
		synchronized (this) {
			this.paused = false;
			ready = new ArrayList<>(this.waiting);
			this.waiting.clear();
		}
		ready.forEach(Runnable::run);
	}

	synchronized boolean isPaused() {
		return this.paused;
	}

}
