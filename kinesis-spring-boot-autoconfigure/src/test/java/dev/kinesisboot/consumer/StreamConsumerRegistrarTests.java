package dev.kinesisboot.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.testsupport.VirtualScheduler;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerDescription;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamConsumerRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamConsumerResponse;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.RegisterStreamConsumerRequest;
import software.amazon.awssdk.services.kinesis.model.RegisterStreamConsumerResponse;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Registering the fan-out stream consumer waits for ACTIVE on the consumer's scheduler,
 * so a virtual clock runs the wait without a thread sleeping.
 */
class StreamConsumerRegistrarTests {

	private final VirtualScheduler clock = new VirtualScheduler(1);

	@Test
	void registersAMissingConsumerAndWaitsOnTheSchedulerUntilItIsActive() {
		ScriptedRegistry kinesis = new ScriptedRegistry(3);
		CompletableFuture<String> arn = new StreamConsumerRegistrar(kinesis, "orders").register(this.clock,
				"arn:aws:kinesis:us-east-1:1:stream/orders", "app");

		assertThat(arn).isNotDone();
		this.clock.runUntil(arn::isDone, Duration.ofMinutes(1));
		assertThat(arn).isCompletedWithValue("arn:consumer/app");
		assertThat(kinesis.calls).containsExactly("describe", "register", "describe", "describe", "describe",
				"describe");
		// CREATING three times: asked again after 50, 100, 200 and 400 ms of virtual time
		assertThat(Duration.ofNanos(this.clock.nanoTime())).isEqualTo(Duration.ofMillis(750));
	}

	@Test
	void aConsumerThatNeverBecomesActiveFailsNamingItsStatusOnceTheTimeIsUp() {
		ScriptedRegistry kinesis = new ScriptedRegistry(Integer.MAX_VALUE);
		CompletableFuture<String> arn = new StreamConsumerRegistrar(kinesis, "orders").register(this.clock,
				"arn:aws:kinesis:us-east-1:1:stream/orders", "app");

		this.clock.runUntil(arn::isDone, Duration.ofMinutes(10));
		assertThat(arn).isCompletedExceptionally();
		assertThat(catchThrowable(arn::join).getCause()).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("is not ACTIVE after PT3M (status CREATING)");
	}

	@Test
	void aRefusedRegistrationFailsWithFanOutUnavailable() {
		ScriptedRegistry kinesis = new ScriptedRegistry(0);
		kinesis.refuse = true;
		CompletableFuture<String> arn = new StreamConsumerRegistrar(kinesis, "orders").register(this.clock,
				"arn:aws:kinesis:us-east-1:1:stream/orders", "app");

		this.clock.runUntil(arn::isDone, Duration.ofMinutes(1));
		assertThat(catchThrowable(arn::join).getCause()).isInstanceOf(FanOutUnavailableException.class)
			.hasMessageContaining("kinesis:RegisterStreamConsumer");
	}

	/** No consumer at first; once registered, CREATING for a number of asks. */
	private static final class ScriptedRegistry implements KinesisAsyncClient {

		final List<String> calls = new ArrayList<>();

		private final int creatingAsks;

		private boolean registered;

		private int asksSinceRegistration;

		boolean refuse;

		ScriptedRegistry(int creatingAsks) {
			this.creatingAsks = creatingAsks;
		}

		@Override
		public CompletableFuture<DescribeStreamConsumerResponse> describeStreamConsumer(
				DescribeStreamConsumerRequest request) {
			this.calls.add("describe");
			if (!this.registered) {
				return CompletableFuture.failedFuture(ResourceNotFoundException.builder().message("none").build());
			}
			ConsumerStatus status = (++this.asksSinceRegistration > this.creatingAsks) ? ConsumerStatus.ACTIVE
					: ConsumerStatus.CREATING;
			return CompletableFuture.completedFuture(DescribeStreamConsumerResponse.builder()
				.consumerDescription(ConsumerDescription.builder()
					.consumerName(request.consumerName())
					.consumerARN("arn:consumer/" + request.consumerName())
					.consumerStatus(status)
					.build())
				.build());
		}

		@Override
		public CompletableFuture<RegisterStreamConsumerResponse> registerStreamConsumer(
				RegisterStreamConsumerRequest request) {
			this.calls.add("register");
			if (this.refuse) {
				return CompletableFuture.failedFuture(KinesisException.builder().message("AccessDenied").build());
			}
			this.registered = true;
			return CompletableFuture.completedFuture(RegisterStreamConsumerResponse.builder().build());
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
