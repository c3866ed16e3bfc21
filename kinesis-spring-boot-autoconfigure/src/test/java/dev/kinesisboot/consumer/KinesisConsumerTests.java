package dev.kinesisboot.consumer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import org.junit.jupiter.api.Test;

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
import software.amazon.awssdk.services.kinesis.model.SequenceNumberRange;
import software.amazon.awssdk.services.kinesis.model.Shard;

import static dev.kinesisboot.consumer.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The consumer's metrics and parent-before-child order against a scripted stream: a
 * closed parent shard with two records and its open child with three.
 */
class KinesisConsumerTests {

	private static final String PARENT = "shardId-000000000000";

	private static final String CHILD = "shardId-000000000001";

	@Test
	void metricsAndOrderFollowTheReference() {
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		MemoryCheckpointer checkpointer = new MemoryCheckpointer(
				CheckpointerSettings.of("app", "orders").withLeaseDuration(Duration.ofSeconds(3)));
		List<String> handled = new CopyOnWriteArrayList<>();
		KinesisConsumer consumer = KinesisConsumer.builder(new ScriptedKinesis())
			.streamName("orders")
			.checkpointer(checkpointer)
			.metricsCollector(metrics)
			.options(ConsumerOptions.builder()
				.initialPosition(InitialPosition.TRIM_HORIZON)
				.pollInterval(Duration.ofMillis(50))
				.minFetchInterval(Duration.ofMillis(10))
				// a checkpoint after every batch, as the reference counts them
				.checkpointInterval(Duration.ZERO)
				.build())
			.build();
		consumer.start((record) -> handled.add(record.dataAsString()));
		try {
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(handled).containsExactly("p1", "p2", "c1", "c2", "c3");
				assertThat(metrics.gauges())
					.containsEntry("consumer_iterator_age_milliseconds{shard_id=" + CHILD + ",stream_name=orders}", 0.0)
					.containsEntry("consumer_lag_records{shard_id=" + CHILD + ",stream_name=orders}", 0.0);
			});
			assertThat(checkpointer.getCheckpoint(PARENT).join()).contains(Checkpoint.SHARD_END);
			assertThat(checkpointer.getCheckpoint(CHILD).join()).contains(Checkpoint.at("13"));
		}
		finally {
			consumer.close();
		}
		assertThat(metrics.counters())
			.containsEntry("consumer_records_received_total{shard_id=" + PARENT + ",stream_name=orders}", 2.0)
			.containsEntry("consumer_records_received_total{shard_id=" + CHILD + ",stream_name=orders}", 3.0)
			.containsEntry("consumer_bytes_received_total{shard_id=" + PARENT + ",stream_name=orders}", 4.0)
			.containsEntry("consumer_bytes_received_total{shard_id=" + CHILD + ",stream_name=orders}", 6.0)
			.containsEntry("consumer_checkpoint_success_total{shard_id=" + PARENT + ",stream_name=orders}", 2.0)
			.containsEntry("consumer_checkpoint_success_total{shard_id=" + CHILD + ",stream_name=orders}", 1.0);
		assertThat(metrics.gauges()).containsEntry("stream_shards_active{stream_name=orders}", 1.0)
			.containsEntry("stream_shards_closed{stream_name=orders}", 1.0)
			.containsEntry("consumer_queue_size{stream_name=orders}", 0.0)
			// a closed consumer reports no shard any more
			.doesNotContainKey("consumer_lag_records{shard_id=" + CHILD + ",stream_name=orders}");
		assertThat(
				metrics.histograms().get("consumer_processing_time_seconds{shard_id=" + CHILD + ",stream_name=orders}"))
			.hasSize(3);
	}

	/**
	 * A parent shard (closed, two records) and its child (open, three records, then
	 * quiet).
	 */
	static class ScriptedKinesis implements KinesisAsyncClient {

		@Override
		public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(
				DescribeStreamSummaryRequest request) {
			return CompletableFuture.completedFuture(DescribeStreamSummaryResponse.builder().build());
		}

		@Override
		public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
			HashKeyRange all = HashKeyRange.builder().startingHashKey("0").endingHashKey("1").build();
			return CompletableFuture.completedFuture(ListShardsResponse.builder()
				.shards(Shard.builder()
					.shardId(PARENT)
					.hashKeyRange(all)
					.sequenceNumberRange(
							SequenceNumberRange.builder().startingSequenceNumber("1").endingSequenceNumber("9").build())
					.build(),
						Shard.builder()
							.shardId(CHILD)
							.parentShardId(PARENT)
							.hashKeyRange(all)
							.sequenceNumberRange(SequenceNumberRange.builder().startingSequenceNumber("10").build())
							.build())
				.build());
		}

		@Override
		public CompletableFuture<GetShardIteratorResponse> getShardIterator(GetShardIteratorRequest request) {
			return CompletableFuture
				.completedFuture(GetShardIteratorResponse.builder().shardIterator(request.shardId() + "/0").build());
		}

		@Override
		public CompletableFuture<GetRecordsResponse> getRecords(GetRecordsRequest request) {
			String iterator = request.shardIterator();
			GetRecordsResponse.Builder response = GetRecordsResponse.builder();
			if (iterator.equals(PARENT + "/0")) {
				response.records(record("1", "p1"), record("2", "p2")).millisBehindLatest(1000L);
			}
			else if (iterator.equals(CHILD + "/0")) {
				response.records(record("11", "c1"), record("12", "c2"), record("13", "c3"))
					.millisBehindLatest(2000L)
					.nextShardIterator(CHILD + "/1");
			}
			else {
				response.records(List.of()).millisBehindLatest(0L).nextShardIterator(CHILD + "/1");
			}
			return CompletableFuture.completedFuture(response.build());
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
