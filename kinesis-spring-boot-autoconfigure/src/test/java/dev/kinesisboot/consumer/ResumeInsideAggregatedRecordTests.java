package dev.kinesisboot.consumer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kinesisboot.aggregation.RecordAggregator;
import dev.kinesisboot.aggregation.UserRecord;
import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.kinesis.model.HashKeyRange;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.SequenceNumberRange;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

import static dev.kinesisboot.consumer.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A consumer resuming from a checkpoint inside an aggregated record: it reads that record
 * again and hands over only the user records after the checkpoint.
 */
class ResumeInsideAggregatedRecordTests {

	private static final String SHARD = "shardId-000000000000";

	private static final CheckpointerSettings SETTINGS = CheckpointerSettings.of("app", "orders")
		.withLeaseDuration(Duration.ofSeconds(3));

	@Test
	void checkpointInsideAnAggregatedRecordResumesAtItsNextUserRecord() {
		Scripted kinesis = new Scripted();
		List<String> handled = consumeFrom(kinesis, new Checkpoint("100", 2), 3, new InMemoryMetricsCollector());
		assertThat(handled).containsExactly("u3", "u4", "plain");
		assertThat(kinesis.iteratorRequests).first()
			.satisfies((request) -> assertThat(request.shardIteratorType())
				.isEqualTo(ShardIteratorType.AT_SEQUENCE_NUMBER))
			.satisfies((request) -> assertThat(request.startingSequenceNumber()).isEqualTo("100"));
	}

	@Test
	void checkpointAtTheFirstUserRecordOfAnAggregatedRecordKeepsTheOthers() {
		List<String> handled = consumeFrom(new Scripted(), new Checkpoint("100", 0), 5, new InMemoryMetricsCollector());
		assertThat(handled).containsExactly("u1", "u2", "u3", "u4", "plain");
	}

	@Test
	void checkpointAtAPlainRecordHandsOverNothingAgainAndDoesNotCountItAsReceived() {
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		List<String> handled = consumeFrom(new Scripted(), Checkpoint.at("101"), 1, metrics);
		assertThat(handled).containsExactly("later");
		assertThat(metrics.counters())
			.containsEntry("consumer_records_received_total{shard_id=" + SHARD + ",stream_name=orders}", 1.0);
	}

	private static List<String> consumeFrom(Scripted kinesis, Checkpoint checkpoint, int expected,
			InMemoryMetricsCollector metrics) {
		MemoryCheckpointer.Store store = new MemoryCheckpointer.Store();
		MemoryCheckpointer seed = new MemoryCheckpointer(SETTINGS.withWorkerId("earlier"), store);
		seed.takeLease(SHARD, null).join();
		seed.checkpoint(SHARD, checkpoint).join();
		seed.releaseLease(SHARD).join();
		List<String> handled = new CopyOnWriteArrayList<>();
		KinesisConsumer consumer = KinesisConsumer.builder(kinesis)
			.streamName("orders")
			.checkpointer(new MemoryCheckpointer(SETTINGS, store))
			.metricsCollector(metrics)
			.options(ConsumerOptions.builder()
				.pollInterval(Duration.ofMillis(50))
				.minFetchInterval(Duration.ofMillis(10))
				.build())
			.build();
		consumer.start((record) -> handled.add(record.dataAsString()));
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() >= expected);
			// a little longer: nothing else may arrive
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
		}
		finally {
			consumer.close();
		}
		return new ArrayList<>(handled);
	}

	/**
	 * One open shard: an aggregated record (100) of five user records, a plain record
	 * (101), and a later plain record (102) that only an iterator at 101 starts before.
	 */
	static class Scripted implements KinesisAsyncClient {

		final List<GetShardIteratorRequest> iteratorRequests = new CopyOnWriteArrayList<>();

		@Override
		public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(
				DescribeStreamSummaryRequest request) {
			return CompletableFuture.completedFuture(DescribeStreamSummaryResponse.builder().build());
		}

		@Override
		public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
			return CompletableFuture.completedFuture(ListShardsResponse.builder()
				.shards(Shard.builder()
					.shardId(SHARD)
					.hashKeyRange(HashKeyRange.builder().startingHashKey("0").endingHashKey("1").build())
					.sequenceNumberRange(SequenceNumberRange.builder().startingSequenceNumber("1").build())
					.build())
				.build());
		}

		@Override
		public CompletableFuture<GetShardIteratorResponse> getShardIterator(GetShardIteratorRequest request) {
			this.iteratorRequests.add(request);
			String at = (request.shardIteratorType() == ShardIteratorType.AT_SEQUENCE_NUMBER)
					? request.startingSequenceNumber() : "other";
			return CompletableFuture.completedFuture(GetShardIteratorResponse.builder().shardIterator(at).build());
		}

		@Override
		public CompletableFuture<GetRecordsResponse> getRecords(GetRecordsRequest request) {
			GetRecordsResponse.Builder response = GetRecordsResponse.builder().nextShardIterator("tip");
			switch (request.shardIterator()) {
				case "100" -> response.records(aggregated(), record("101", "plain")).millisBehindLatest(0L);
				case "101" -> response.records(record("101", "plain"), record("102", "later")).millisBehindLatest(0L);
				default -> response.records(List.of()).millisBehindLatest(0L);
			}
			return CompletableFuture.completedFuture(response.build());
		}

		private static Record aggregated() {
			List<UserRecord> users = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				users.add(UserRecord.of("k" + i, ("u" + i).getBytes(StandardCharsets.UTF_8)));
			}
			byte[] data = RecordAggregator.aggregate(users, RecordAggregator.DEFAULT_MAX_SIZE).get(0).data();
			return Record.builder()
				.sequenceNumber("100")
				.partitionKey("k0")
				.approximateArrivalTimestamp(Instant.now())
				.data(SdkBytes.fromByteArray(data))
				.build();
		}

		@Override
		public String serviceName() {
			return "kinesis";
		}

		@Override
		public void close() {
		}

	}

}
