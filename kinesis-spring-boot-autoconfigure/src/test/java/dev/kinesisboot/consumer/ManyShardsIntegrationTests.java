package dev.kinesisboot.consumer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.support.Streams;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One consumer owning 200 shards: every record of a trickle to every shard arrives, the
 * JVM's thread count stays bounded (fetch loops are timers and futures, not threads), and
 * idle shards back off so the endpoint sees few calls. The start script raises
 * kinesis-local's SHARD_LIMIT to allow the stream.
 */
@RequiresLocalServers(LocalServer.KINESIS)
class ManyShardsIntegrationTests {

	static final int SHARDS = 200;

	/**
	 * Live threads allowed in this JVM while the consumer reads 200 shards: the test
	 * runner's own threads plus the consumer's timer, lease and handler threads and the
	 * SDK's event loop and response threads, none of which grows with the shard count.
	 */
	static final int THREAD_BOUND = 64;

	@Test
	void oneConsumerReadsTwoHundredShardsWithBoundedThreadsAndBacksOffWhenIdle(LocalKinesis kinesis) throws Exception {
		String stream = kinesis.createStream("many-shards", SHARDS);
		OperationCounter calls = new OperationCounter();
		KinesisAsyncClient client = kinesis
			.newClient((builder) -> builder.overrideConfiguration((c) -> c.addExecutionInterceptor(calls)));
		Set<String> received = ConcurrentHashMap.newKeySet();
		Set<String> shardsSeen = ConcurrentHashMap.newKeySet();
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		threads.resetPeakThreadCount();
		ConsumerOptions options = ConsumerOptions.builder()
			.initialPosition(InitialPosition.TRIM_HORIZON)
			.pollInterval(Duration.ofMillis(500))
			.idlePollIntervalMax(Duration.ofSeconds(2))
			.shardRefreshInterval(Duration.ofSeconds(30))
			.build();
		KinesisConsumer consumer = KinesisConsumer.builder(client)
			.streamName(stream)
			.options(options)
			.checkpointer(new MemoryCheckpointer(
					KinesisConsumerIntegrationTests.settings(stream).withLeaseDuration(Duration.ofSeconds(20))))
			.build();
		try {
			List<Shard> shards = Streams.listShards(client, (r) -> r.streamName(stream)).join();
			assertThat(shards).hasSize(SHARDS);
			consumer.start((record) -> {
				received.add(record.dataAsString());
				shardsSeen.add(record.shardId());
			});
			for (int round = 0; round < 2; round++) {
				putOnePerShard(client, stream, shards, round);
				Thread.sleep(2000);
			}
			await().atMost(Duration.ofMinutes(3)).until(() -> received.size() >= 2 * SHARDS);
			assertThat(received).hasSize(2 * SHARDS);
			assertThat(shardsSeen).hasSize(SHARDS);

			// idle: measure GetRecords calls over 10 s once the back-off has grown
			Thread.sleep(5000);
			int before = calls.count("GetRecords");
			Thread.sleep(10_000);
			double perSecond = (calls.count("GetRecords") - before) / 10.0;
			int peakThreads = threads.getPeakThreadCount();
			System.out.printf("200 idle shards: %.1f GetRecords calls/s (%.2f per shard); peak live threads %d%n",
					perSecond, perSecond / SHARDS, peakThreads);
			// 2 s between reads of an idle shard: 100 calls/s; allow some slack for
			// jitter
			assertThat(perSecond / SHARDS).isLessThanOrEqualTo(0.6);
			assertThat(peakThreads).as("peak live threads").isLessThanOrEqualTo(THREAD_BOUND);
		}
		finally {
			consumer.close();
			client.close();
			kinesis.deleteStream(stream);
		}
	}

	private static void putOnePerShard(KinesisAsyncClient client, String stream, List<Shard> shards, int round) {
		List<PutRecordsRequestEntry> entries = new ArrayList<>();
		for (Shard shard : shards) {
			entries.add(PutRecordsRequestEntry.builder()
				.partitionKey("k")
				.explicitHashKey(shard.hashKeyRange().startingHashKey())
				.data(SdkBytes.fromUtf8String(shard.shardId() + "/" + round))
				.build());
		}
		for (int from = 0; from < entries.size(); from += 100) {
			List<PutRecordsRequestEntry> chunk = entries.subList(from, Math.min(entries.size(), from + 100));
			assertThat(client.putRecords((r) -> r.streamName(stream).records(chunk)).join().failedRecordCount())
				.isZero();
		}
	}

}
