package dev.kinesisboot.producer;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

class KinesisTemplateTests {

	@Test
	void keepsOneProducerPerStreamAndClosesThemAll() {
		FakeKinesisClient kinesis = new FakeKinesisClient(2);
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		KinesisTemplate template = new KinesisTemplate(kinesis,
				ProducerOptions.builder().bufferTime(Duration.ofMillis(10)).build(), metrics,
				new DefaultPayloadSerializer());
		template.send("orders", "order-1", "{\"id\":1}").join();
		template.send("orders", "{\"id\":2}").join();
		template.send("invoices", "key", new byte[] { 1, 2, 3 }).join();

		assertThat(template.producer("orders")).isSameAs(template.producer("orders"));
		assertThat(kinesis.stored).hasSize(3);
		assertThat(metrics.counters()).containsEntry("producer_records_sent_total{stream_name=orders}", 2.0)
			.containsEntry("producer_records_sent_total{stream_name=invoices}", 1.0);

		KinesisProducer orders = template.producer("orders");
		template.close();
		assertThatIllegalStateException().isThrownBy(() -> orders.put("late"));
		assertThatIllegalStateException().isThrownBy(() -> template.send("orders", "late"))
			.withMessageContaining("closed");
		kinesis.close();
	}

	@Test
	void streamArnIsUsedAsArnAndLabelledByName() {
		FakeKinesisClient kinesis = new FakeKinesisClient(1);
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		try (KinesisTemplate template = new KinesisTemplate(kinesis,
				ProducerOptions.builder().bufferTime(Duration.ofMillis(10)).build(), metrics,
				new DefaultPayloadSerializer())) {
			template.send("arn:aws:kinesis:us-east-1:000000000000:stream/payments", "x").join();
			assertThat(kinesis.calls.get(0).streamARN())
				.isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/payments");
			assertThat(kinesis.calls.get(0).streamName()).isNull();
			assertThat(metrics.counters()).containsKey("producer_records_sent_total{stream_name=payments}");
		}
		kinesis.close();
	}

	/**
	 * "orders-Aa" and "orders-BB" have one hash code, so a ConcurrentHashMap keeps them
	 * in one bin: the worst case of two streams, reproduced every time.
	 */
	@Test
	void firstSendToAnotherStreamDoesNotWaitWhileOneStreamsProducerIsBuilt() {
		SlowListShardsClient kinesis = new SlowListShardsClient("orders-Aa");
		ExecutorService callers = Executors.newFixedThreadPool(2);
		KinesisTemplate template = new KinesisTemplate(kinesis,
				ProducerOptions.builder().bufferTime(Duration.ofMillis(10)).build(), new InMemoryMetricsCollector(),
				new DefaultPayloadSerializer());
		try {
			CompletableFuture<PutResult> slow = CompletableFuture
				.supplyAsync(() -> template.send("orders-Aa", "a"), callers)
				.thenCompose(Function.identity());
			await().until(() -> kinesis.slowListShardsStarted.getCount() == 0);

			CompletableFuture<PutResult> other = CompletableFuture
				.supplyAsync(() -> template.send("orders-BB", "b"), callers)
				.thenCompose(Function.identity());
			assertThat(other).succeedsWithin(Duration.ofSeconds(5));

			kinesis.releaseListShards.complete(null);
			assertThat(slow).succeedsWithin(Duration.ofSeconds(5));
		}
		finally {
			kinesis.releaseListShards.complete(null);
			template.close();
			callers.shutdownNow();
			kinesis.close();
		}
	}

	@Test
	void producerBuiltWhileTheTemplateClosesIsClosed() {
		SlowListShardsClient kinesis = new SlowListShardsClient("late");
		ExecutorService callers = Executors.newFixedThreadPool(2);
		KinesisTemplate template = new KinesisTemplate(kinesis,
				ProducerOptions.builder().bufferTime(Duration.ofMillis(10)).build(), new InMemoryMetricsCollector(),
				new DefaultPayloadSerializer());
		try {
			CompletableFuture<PutResult> late = CompletableFuture.supplyAsync(() -> template.send("late", "a"), callers)
				.thenCompose(Function.identity());
			await().until(() -> kinesis.slowListShardsStarted.getCount() == 0);

			CompletableFuture<Void> closing = CompletableFuture.runAsync(template::close, callers);
			assertThat(closing).succeedsWithin(Duration.ofSeconds(5));
			kinesis.releaseListShards.complete(null);

			assertThat(late).failsWithin(Duration.ofSeconds(5))
				.withThrowableThat()
				.havingRootCause()
				.isInstanceOf(IllegalStateException.class)
				.withMessageContaining("closed");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> Thread.getAllStackTraces()
					.keySet()
					.stream()
					.noneMatch((thread) -> thread.getName().startsWith("kinesis-producer-late") && thread.isAlive()));
		}
		finally {
			kinesis.releaseListShards.complete(null);
			template.close();
			callers.shutdownNow();
			kinesis.close();
		}
	}

	/**
	 * ListShards of one stream waits until released, as a slow or unreachable endpoint.
	 */
	static class SlowListShardsClient extends FakeKinesisClient {

		final CountDownLatch slowListShardsStarted = new CountDownLatch(1);

		final CompletableFuture<Void> releaseListShards = new CompletableFuture<>();

		private final String slowStream;

		SlowListShardsClient(String slowStream) {
			super(1);
			this.slowStream = slowStream;
		}

		@Override
		public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
			if (!this.slowStream.equals(request.streamName())) {
				return super.listShards(request);
			}
			this.slowListShardsStarted.countDown();
			return this.releaseListShards.thenCompose((ignored) -> super.listShards(request));
		}

	}

}
