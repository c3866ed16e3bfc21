package dev.kinesisboot.producer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Records up to the stream's maximum record size (10 MiB since October 2025), read from
 * DescribeStreamSummary by a scripted client: the emulators do not know the field.
 */
class ProducerRecordSizeTests {

	private static final int MIB = 1024 * 1024;

	private final AtomicInteger describes = new AtomicInteger();

	/** MaxRecordSizeInKiB the stream reports on each DescribeStreamSummary, in turn. */
	private volatile List<Integer> maxRecordSizeInKiB = List.of(10240);

	private final FakeKinesisClient kinesis = new FakeKinesisClient(1) {

		@Override
		public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(
				DescribeStreamSummaryRequest request) {
			List<Integer> sizes = ProducerRecordSizeTests.this.maxRecordSizeInKiB;
			int call = ProducerRecordSizeTests.this.describes.getAndIncrement();
			return CompletableFuture.completedFuture(DescribeStreamSummaryResponse.builder()
				.streamDescriptionSummary(StreamDescriptionSummary.builder()
					.streamName(request.streamName())
					.streamStatus(StreamStatus.ACTIVE)
					.maxRecordSizeInKiB(sizes.get(Math.min(call, sizes.size() - 1)))
					.build())
				.build());
		}

	};

	private final InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();

	private KinesisProducer producer;

	@AfterEach
	void close() {
		if (this.producer != null) {
			this.producer.close();
		}
		this.kinesis.close();
	}

	private KinesisProducer producer() {
		this.producer = KinesisProducer.builder(this.kinesis)
			.streamName("large")
			.metricsCollector(this.metrics)
			.options(ProducerOptions.builder().bufferTime(Duration.ofMillis(20)).build())
			.build();
		return this.producer;
	}

	@Test
	void recordsUpToTheStreamsMaximumAreSentAndOneByteMoreFailsNamingIt() {
		KinesisProducer producer = producer();
		producer.start();
		assertThat(producer.maxRecordBytes()).isEqualTo(10 * MIB);

		CompletableFuture<PutResult> largest = producer.put(new byte[10 * MIB - 1], "k");
		CompletableFuture<PutResult> small = producer.put("small", "k");
		CompletableFuture<PutResult> tooLarge = producer.put(new byte[10 * MIB], "k");

		assertThat(largest).succeedsWithin(Duration.ofSeconds(30));
		assertThat(small).succeedsWithin(Duration.ofSeconds(30));
		assertThat(tooLarge).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.withMessageContaining("10485761 bytes")
			.withMessageContaining("stream's limit of 10485760 bytes");
		// the 10 MiB record went in a call of its own: the request limit is 10 MiB
		assertThat(this.kinesis.batchSizes()).containsExactly(1, 1);
	}

	@Test
	void callRefusedForASizeMakesTheProducerReadTheStreamsMaximumAgain() {
		this.maxRecordSizeInKiB = List.of(4096, 1024);
		this.kinesis.script = (request) -> KinesisException.builder()
			.message("1 validation error detected: Value at 'records.1.member.data' failed to satisfy constraint: "
					+ "Member must have length less than or equal to 1048576")
			.statusCode(400)
			.awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationException").build())
			.build();
		KinesisProducer producer = producer();
		producer.start();
		assertThat(producer.maxRecordBytes()).isEqualTo(4 * MIB);

		CompletableFuture<PutResult> refused = producer.put(new byte[2 * MIB], "k");

		assertThat(refused).failsWithin(Duration.ofSeconds(10))
			.withThrowableThat()
			.withMessageContaining("ValidationException")
			.withMessageContaining("not retryable");
		await().until(() -> producer.maxRecordBytes() == MIB);
		assertThat(producer.put(new byte[2 * MIB], "k")).failsWithin(Duration.ZERO)
			.withThrowableThat()
			.withMessageContaining("stream's limit of 1048576 bytes");
		assertThat(this.metrics.counters())
			.containsEntry("producer_errors_total{error_type=RecordTooLarge,stream_name=large}", 1.0);
	}

}
