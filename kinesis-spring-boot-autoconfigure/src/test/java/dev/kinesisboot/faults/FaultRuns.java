package dev.kinesisboot.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.consumer.ConsumerMode;
import dev.kinesisboot.consumer.ConsumerOptions;
import dev.kinesisboot.consumer.InitialPosition;
import dev.kinesisboot.producer.KinesisProducer;
import dev.kinesisboot.producer.ProducerOptions;
import dev.kinesisboot.producer.PutResult;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Producer and consumer settings the fault scenarios share.
 */
final class FaultRuns {

	/** How long a fault lasts. */
	static final Duration OUTAGE = Duration.ofSeconds(5);

	/**
	 * Puts at a pace the local Kinesis keeps up with, so that a run lasts long enough for
	 * a fault to hit it mid-way; {@code put} waits for room instead of failing.
	 */
	static final ProducerOptions PACED = ProducerOptions.builder()
		.recordsPerSecondPerShard(150)
		.maxInFlightBatches(2)
		.bufferTime(Duration.ofMillis(100))
		.queueFullTimeout(Duration.ofMinutes(30))
		.retryBackoff(Duration.ofMillis(50), Duration.ofSeconds(1))
		.build();

	private FaultRuns() {
	}

	/**
	 * Consumer options for quick recovery: short polls, back-offs and shutdown.
	 * @param mode polling or fan-out
	 * @return the options
	 */
	static ConsumerOptions consumerOptions(ConsumerMode mode) {
		return ConsumerOptions.builder()
			.mode(mode)
			.initialPosition(InitialPosition.TRIM_HORIZON)
			.pollInterval(Duration.ofMillis(200))
			// small batches: more checkpoints to audit, and an iterator age while behind
			.maxRecordsPerCall(100)
			.shardRefreshInterval(Duration.ofSeconds(5))
			.errorBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
			.handlerRetryBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
			.subscriptionRenewal(Duration.ofSeconds(10))
			.shutdownTimeout(Duration.ofSeconds(10))
			.build();
	}

	/**
	 * Puts {@link FaultTally#RECORDS} records with unique ids and random keys from a
	 * thread of its own, noting each as sent.
	 * @param client the client to put with
	 * @param stream the stream
	 * @param prefix the ids' prefix
	 * @param tally where the ids and the producer's metrics go
	 * @return completes with every result once all were accepted, or fails with the first
	 * record that failed
	 */
	static CompletableFuture<List<PutResult>> produce(KinesisAsyncClient client, String stream, String prefix,
			FaultTally tally) {
		return CompletableFuture.supplyAsync(() -> {
			try (KinesisProducer producer = KinesisProducer.builder(client)
				.streamName(stream)
				.options(PACED)
				.metricsCollector(tally)
				.build()) {
				List<CompletableFuture<PutResult>> puts = new ArrayList<>(FaultTally.RECORDS);
				for (int i = 0; i < FaultTally.RECORDS; i++) {
					String id = FaultTally.id(prefix, i);
					tally.sent(id);
					puts.add(producer.put(id));
				}
				producer.flush().join();
				return puts.stream().map(CompletableFuture::join).toList();
			}
		}, (task) -> {
			Thread thread = new Thread(task, "fault-producer");
			thread.setDaemon(true);
			thread.start();
		});
	}

}
