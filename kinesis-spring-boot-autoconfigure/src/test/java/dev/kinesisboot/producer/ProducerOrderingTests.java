package dev.kinesisboot.producer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 16, defect 1: with {@link ProducerOptions#orderedPerShard()}, the records of one
 * partition key are stored in the order they were put, whatever Kinesis refuses and
 * whenever the shard map is read again.
 */
class ProducerOrderingTests {

	private static final String THROTTLED = "ProvisionedThroughputExceededException";

	private final AtomicInteger listShardsCalls = new AtomicInteger();

	private final FakeKinesisClient kinesis = new FakeKinesisClient(1) {

		@Override
		public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
			ProducerOrderingTests.this.listShardsCalls.incrementAndGet();
			return super.listShards(request);
		}

	};

	private final List<KinesisProducer> producers = new ArrayList<>();

	@AfterEach
	void closeAll() {
		this.producers.forEach(KinesisProducer::close);
		this.kinesis.close();
	}

	private KinesisProducer orderedProducer(ProducerOptions.Builder options) {
		KinesisProducer producer = KinesisProducer.builder(this.kinesis)
			.streamName("orders")
			.options(options.orderedPerShard(true)
				.rateLimitEnabled(false)
				.retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
				.build())
			.build();
		this.producers.add(producer);
		return producer;
	}

	private List<String> storedData() {
		return this.kinesis.stored.stream().map((entry) -> entry.data().asUtf8String()).toList();
	}

	@Test
	void recordRefusedInACallIsStoredBeforeALaterRecordOfItsKeyThatTheCallAccepted() {
		AtomicBoolean refused = new AtomicBoolean();
		// Kinesis refuses the first entry of the first call and stores the rest
		this.kinesis.script = (request) -> refused.compareAndSet(false, true) ? List.of(THROTTLED) : null;
		KinesisProducer producer = orderedProducer(ProducerOptions.builder().bufferTime(Duration.ofMillis(50)));

		CompletableFuture<PutResult> first = producer.put("first", "key");
		CompletableFuture<PutResult> second = producer.put("second", "key");

		assertThat(CompletableFuture.allOf(first, second)).succeedsWithin(Duration.ofSeconds(5));
		assertThat(storedData()).containsExactly("first", "second");
	}

	@Test
	void shardMapRefreshDoesNotLetALaterRecordOvertakeOneInFlight() {
		CountDownLatch release = new CountDownLatch(1);
		AtomicBoolean throttledOnce = new AtomicBoolean();
		this.kinesis.script = (request) -> {
			if (containsData(request, "first") && throttledOnce.compareAndSet(false, true)) {
				awaitRelease(release);
				throw ProvisionedThroughputExceededException.builder()
					.message("Rate exceeded")
					.awsErrorDetails(AwsErrorDetails.builder().errorCode(THROTTLED).build())
					.build();
			}
			return null;
		};
		KinesisProducer producer = orderedProducer(ProducerOptions.builder()
			.bufferTime(Duration.ofMillis(10))
			.shardRefreshInterval(Duration.ofMillis(20)));
		CompletableFuture<PutResult> first = producer.put("first", "key");
		await().until(() -> this.kinesis.calls.size() == 1);
		int readsBefore = this.listShardsCalls.get();
		await().until(() -> this.listShardsCalls.get() > readsBefore + 1);

		CompletableFuture<PutResult> second = producer.put("second", "key");
		try {
			// an overtaking call goes within a buffer time; a correct producer sends none
			await().atMost(Duration.ofMillis(500)).until(() -> this.kinesis.calls.size() > 1);
		}
		catch (ConditionTimeoutException ex) {
			// the later record waited for the one in flight
		}
		release.countDown();

		assertThat(CompletableFuture.allOf(first, second)).succeedsWithin(Duration.ofSeconds(5));
		assertThat(storedData()).containsExactly("first", "second");
	}

	private static boolean containsData(PutRecordsRequest request, String data) {
		return request.records()
			.stream()
			.map(PutRecordsRequestEntry::data)
			.anyMatch((d) -> d.asUtf8String().equals(data));
	}

	private static void awaitRelease(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
