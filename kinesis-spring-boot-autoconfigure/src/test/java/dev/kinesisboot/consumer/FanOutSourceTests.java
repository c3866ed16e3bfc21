package dev.kinesisboot.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerDescription;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamConsumerRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamConsumerResponse;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.HashKeyRange;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.SequenceNumberRange;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEventStream;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardRequest;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponse;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

import static dev.kinesisboot.consumer.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fan-out error handling against a scripted SubscribeToShard: a subscription refused with
 * ResourceInUseException, one that Kinesis ends early, and one that goes silent. Each is
 * counted under its code, and each new subscription starts at the last handled record, so
 * every record is handled exactly once.
 */
class FanOutSourceTests {

	private static final String SHARD = "shardId-000000000000";

	private static final String STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";

	@Test
	void refusedEndedAndSilentSubscriptionsAreCountedAndResumeAtTheLastHandledRecord() {
		ScriptedFanOut kinesis = new ScriptedFanOut();
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		MemoryCheckpointer checkpointer = new MemoryCheckpointer(
				CheckpointerSettings.of("app", "orders").withLeaseDuration(Duration.ofSeconds(3)));
		List<String> handled = new CopyOnWriteArrayList<>();
		KinesisConsumer consumer = KinesisConsumer.builder(kinesis)
			.streamName("orders")
			.checkpointer(checkpointer)
			.metricsCollector(metrics)
			.options(ConsumerOptions.builder()
				.mode(ConsumerMode.FAN_OUT)
				.initialPosition(InitialPosition.TRIM_HORIZON)
				.subscriptionTimeout(Duration.ofMillis(300))
				.errorBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
				.checkpointInterval(Duration.ZERO)
				.build())
			.build();
		consumer.start((record) -> handled.add(record.dataAsString()));
		try {
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(handled).containsExactly("r1", "r2", "r3");
				assertThat(kinesis.subscriptions.get()).isGreaterThanOrEqualTo(4);
				assertThat(checkpointer.getCheckpoint(SHARD).join()).contains(Checkpoint.at("3"));
			});
		}
		finally {
			consumer.close();
		}
		assertThat(kinesis.positions.subList(0, 4))
			.extracting(StartingPosition::typeAsString, StartingPosition::sequenceNumber)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("TRIM_HORIZON", null),
					org.assertj.core.groups.Tuple.tuple("TRIM_HORIZON", null),
					org.assertj.core.groups.Tuple.tuple("AT_SEQUENCE_NUMBER", "2"),
					org.assertj.core.groups.Tuple.tuple("AT_SEQUENCE_NUMBER", "3"));
		String labels = "shard_id=" + SHARD + ",stream_name=orders}";
		assertThat(metrics.counters())
			.containsEntry("consumer_errors_total{error_type=ResourceInUseException," + labels, 1.0)
			.containsEntry("consumer_errors_total{error_type=" + FanOutSource.ENDED_EARLY + "," + labels, 1.0)
			.containsEntry("consumer_errors_total{error_type=" + FanOutSource.SILENT + "," + labels, 1.0)
			.containsEntry("consumer_records_received_total{" + labels, 3.0);
	}

	/**
	 * One open shard with a registered consumer. Subscription 1 is refused; 2 delivers r1
	 * and r2, then ends; 3 delivers r2 again with r3, then stays silent; 4 and later
	 * deliver empty events.
	 */
	static class ScriptedFanOut implements KinesisAsyncClient {

		final AtomicInteger subscriptions = new AtomicInteger();

		final List<StartingPosition> positions = new CopyOnWriteArrayList<>();

		private final ExecutorService executor = Executors.newCachedThreadPool((runnable) -> {
			Thread thread = new Thread(runnable, "scripted-fan-out");
			thread.setDaemon(true);
			return thread;
		});

		@Override
		public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(
				DescribeStreamSummaryRequest request) {
			return CompletableFuture.completedFuture(DescribeStreamSummaryResponse.builder()
				.streamDescriptionSummary(StreamDescriptionSummary.builder().streamARN(STREAM_ARN).build())
				.build());
		}

		@Override
		public CompletableFuture<DescribeStreamConsumerResponse> describeStreamConsumer(
				DescribeStreamConsumerRequest request) {
			return CompletableFuture.completedFuture(DescribeStreamConsumerResponse.builder()
				.consumerDescription(ConsumerDescription.builder()
					.consumerARN(STREAM_ARN + "/consumer/" + request.consumerName() + ":1")
					.consumerName(request.consumerName())
					.consumerStatus(ConsumerStatus.ACTIVE)
					.build())
				.build());
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
		public CompletableFuture<Void> subscribeToShard(SubscribeToShardRequest request,
				SubscribeToShardResponseHandler handler) {
			int call = this.subscriptions.incrementAndGet();
			this.positions.add(request.startingPosition());
			CompletableFuture<Void> done = new CompletableFuture<>();
			if (call == 1) {
				ResourceInUseException refused = (ResourceInUseException) ResourceInUseException.builder()
					.message("already subscribed")
					.awsErrorDetails(AwsErrorDetails.builder().errorCode("ResourceInUseException").build())
					.build();
				this.executor.execute(() -> {
					handler.exceptionOccurred(refused);
					done.completeExceptionally(refused);
				});
				return done;
			}
			List<SubscribeToShardEvent> events = new ArrayList<>();
			boolean endAfterEvents = false;
			switch (call) {
				case 2 -> {
					events.add(event("2", record("1", "r1"), record("2", "r2")));
					endAfterEvents = true;
				}
				case 3 -> events.add(event("3", record("2", "r2"), record("3", "r3")));
				default -> {
					for (int i = 0; i < 1000; i++) {
						events.add(event("3"));
					}
				}
			}
			boolean end = endAfterEvents;
			Publisher<SubscribeToShardEventStream> publisher = (subscriber) -> subscriber
				.onSubscribe(new ScriptedSubscription(subscriber, events, end, handler, done));
			this.executor.execute(() -> {
				handler.responseReceived(SubscribeToShardResponse.builder().build());
				handler.onEventStream(SdkPublisher.adapt(publisher));
			});
			return done;
		}

		private final class ScriptedSubscription implements Subscription {

			private final Subscriber<? super SubscribeToShardEventStream> subscriber;

			private final List<SubscribeToShardEvent> events;

			private final boolean endAfterEvents;

			private final SubscribeToShardResponseHandler handler;

			private final CompletableFuture<Void> done;

			private int next;

			ScriptedSubscription(Subscriber<? super SubscribeToShardEventStream> subscriber,
					List<SubscribeToShardEvent> events, boolean endAfterEvents, SubscribeToShardResponseHandler handler,
					CompletableFuture<Void> done) {
				this.subscriber = subscriber;
				this.events = events;
				this.endAfterEvents = endAfterEvents;
				this.handler = handler;
				this.done = done;
			}

			@Override
			public synchronized void request(long n) {
				for (long i = 0; i < n; i++) {
					if (this.next < this.events.size()) {
						SubscribeToShardEvent event = this.events.get(this.next++);
						ScriptedFanOut.this.executor.execute(() -> this.subscriber.onNext(event));
					}
					else if (this.endAfterEvents) {
						ScriptedFanOut.this.executor.execute(() -> {
							this.subscriber.onComplete();
							this.handler.complete();
							this.done.complete(null);
						});
						return;
					}
					// else: silent
				}
			}

			@Override
			public void cancel() {
				this.done.complete(null);
			}

		}

		private static SubscribeToShardEvent event(String continuation, Record... records) {
			return SubscribeToShardEvent.builder()
				.records(records)
				.continuationSequenceNumber(continuation)
				.millisBehindLatest(0L)
				.build();
		}

		@Override
		public String serviceName() {
			return "kinesis";
		}

		@Override
		public void close() {
			this.executor.shutdownNow();
		}

	}

}
