package dev.kinesisboot.benchmarks;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Creates the benchmark's streams and deletes them again, remembering which ones still
 * exist so that none is left behind.
 */
final class BenchmarkStreams {

	private static final Duration ACTIVE_TIMEOUT = Duration.ofSeconds(60);

	private static final Duration DELETED_TIMEOUT = Duration.ofSeconds(10);

	private static final long POLL_MILLIS = 20;

	private final KinesisAsyncClient client;

	private final Set<String> live = ConcurrentHashMap.newKeySet();

	BenchmarkStreams(KinesisAsyncClient client) {
		this.client = client;
	}

	/**
	 * A stream name not used before.
	 * @param scenario the scenario the stream is for
	 * @param recordSize the record size of the run
	 * @return the name
	 */
	static String uniqueName(Scenario scenario, int recordSize) {
		return "bench-" + scenario.id() + "-" + recordSize + "-" + System.currentTimeMillis() + "-"
				+ Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
	}

	/**
	 * Creates a stream and waits until it is ACTIVE.
	 * @param name the stream name
	 * @param shards the shard count
	 */
	void create(String name, int shards) {
		this.client.createStream((request) -> request.streamName(name).shardCount(shards)).join();
		this.live.add(name);
		long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
		while (status(name) != StreamStatus.ACTIVE) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Stream " + name + " was not ACTIVE within " + ACTIVE_TIMEOUT);
			}
			pause();
		}
	}

	/**
	 * Deletes a stream and waits, briefly, until it is gone. Failures are reported, not
	 * thrown.
	 * @param name the stream name
	 */
	void delete(String name) {
		try {
			this.client.deleteStream((request) -> request.streamName(name).enforceConsumerDeletion(true)).join();
			long deadline = System.nanoTime() + DELETED_TIMEOUT.toNanos();
			while (status(name) != null && System.nanoTime() < deadline) {
				pause();
			}
			this.live.remove(name);
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof ResourceNotFoundException) {
				this.live.remove(name);
				return;
			}
			System.err.println("[benchmark] could not delete stream " + name + ": " + ex.getCause());
		}
	}

	/**
	 * Deletes every stream created here and not deleted yet.
	 */
	void deleteAll() {
		Set.copyOf(this.live).forEach(this::delete);
	}

	private StreamStatus status(String name) {
		try {
			return this.client.describeStreamSummary((request) -> request.streamName(name))
				.join()
				.streamDescriptionSummary()
				.streamStatus();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof ResourceNotFoundException) {
				return null;
			}
			throw ex;
		}
	}

	private static void pause() {
		try {
			TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for a stream", ex);
		}
	}

}
