package dev.kinesisboot.producer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * With an observation registry, each {@link KinesisTemplate#send} is one observation that
 * lasts until Kinesis stored the record or the send failed, and the caller sees the same
 * result or exception as without.
 */
class KinesisTemplateObservationTests {

	private final FakeKinesisClient kinesis = new FakeKinesisClient(2);

	private final TestObservationRegistry registry = TestObservationRegistry.create();

	private final KinesisTemplate template = new KinesisTemplate(this.kinesis,
			ProducerOptions.builder().bufferTime(Duration.ofMillis(10)).build(), new InMemoryMetricsCollector(),
			new DefaultPayloadSerializer());

	@AfterEach
	void close() {
		this.template.close();
		this.kinesis.close();
	}

	@Test
	void aSendIsObservedUntilKinesisStoredTheRecord() {
		CompletableFuture<Void> release = new CompletableFuture<>();
		this.kinesis.script = (request) -> {
			release.join();
			return null;
		};
		this.template.setObservationRegistry(this.registry);

		CompletableFuture<PutResult> sent = this.template.send("orders", "order-1", "{\"id\":1}");
		await().until(() -> !this.kinesis.calls.isEmpty());
		assertThat(this.registry).hasObservationWithNameEqualTo("kinesis.template")
			.that()
			.hasBeenStarted()
			.isNotStopped();

		release.complete(null);
		PutResult result = sent.join();
		assertThat(this.registry).hasSingleObservationThat()
			.hasNameEqualTo("kinesis.template")
			.hasContextualNameEqualTo("orders publish")
			.hasBeenStopped()
			.doesNotHaveError()
			.hasLowCardinalityKeyValue("messaging.system", "kinesis")
			.hasLowCardinalityKeyValue("messaging.operation", "publish")
			.hasLowCardinalityKeyValue("messaging.destination.name", "orders")
			.hasLowCardinalityKeyValue("outcome", "SUCCESS")
			.hasLowCardinalityKeyValue("exception", "none")
			.hasHighCardinalityKeyValue("messaging.destination.partition.id", result.shardId())
			.hasHighCardinalityKeyValue("messaging.message.id", result.sequenceNumber());
	}

	@Test
	void aStreamArnIsObservedByTheStreamsName() {
		this.template.setObservationRegistry(this.registry);
		this.template.send("arn:aws:kinesis:us-east-1:000000000000:stream/payments", "x").join();
		assertThat(this.registry).hasSingleObservationThat()
			.hasLowCardinalityKeyValue("messaging.destination.name", "payments");
	}

	@Test
	void aFailedSendIsObservedWithItsErrorAndTheCallerGetsTheSameException() {
		this.kinesis.script = (request) -> List.of("ValidationException");
		this.template.setObservationRegistry(this.registry);

		Throwable seen = this.template.send("orders", "order-1", "{\"id\":1}").handle((result, error) -> error).join();

		assertThat(seen).isInstanceOf(KinesisPutException.class);
		assertThat(this.registry).hasSingleObservationThat()
			.hasBeenStopped()
			.hasError(seen)
			.hasLowCardinalityKeyValue("outcome", "FAILURE")
			.hasLowCardinalityKeyValue("exception", "KinesisPutException")
			.doesNotHaveHighCardinalityKeyValueWithKey("messaging.message.id");
	}

	@Test
	void aSendThatThrowsIsObservedAsFailedAndThrowsUnchanged() {
		this.template.setObservationRegistry(this.registry);
		this.template.close();

		assertThatIllegalStateException().isThrownBy(() -> this.template.send("orders", "late"))
			.withMessageContaining("closed");
		assertThat(this.registry).hasSingleObservationThat()
			.hasBeenStopped()
			.hasLowCardinalityKeyValue("outcome", "FAILURE")
			.hasLowCardinalityKeyValue("exception", "IllegalStateException");
	}

	@Test
	void aConventionOfTheApplicationReplacesTheDefault() {
		this.template.setObservationRegistry(this.registry);
		this.template.setObservationConvention(new DefaultKinesisTemplateObservationConvention() {

			@Override
			public KeyValues getLowCardinalityKeyValues(KinesisTemplateObservationContext context) {
				return super.getLowCardinalityKeyValues(context).and("tenant", context.getPartitionKey());
			}

		});

		this.template.send("orders", "acme", "{\"id\":1}").join();

		assertThat(this.registry).hasSingleObservationThat()
			.hasNameEqualTo("kinesis.template")
			.hasLowCardinalityKeyValue("tenant", "acme")
			.hasLowCardinalityKeyValue("messaging.destination.name", "orders");
	}

}
