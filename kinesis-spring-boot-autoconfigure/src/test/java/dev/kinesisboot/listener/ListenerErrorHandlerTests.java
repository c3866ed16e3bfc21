package dev.kinesisboot.listener;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.consumer.ConsumerErrorHandler.Decision;
import dev.kinesisboot.record.KinesisRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default listener error handler: bounded attempts, errors retrying cannot cure
 * recovered at once, and a record skipped without a dead-letter stream leaves its data in
 * the log, so it can be replayed by hand.
 */
@ExtendWith(OutputCaptureExtension.class)
class ListenerErrorHandlerTests {

	private final List<KinesisRecord<byte[]>> one = List.of(record("{}".getBytes(StandardCharsets.UTF_8)));

	@Test
	void aFailingRecordIsRetriedUpToTheAttemptsThenRecovered() {
		ListenerErrorHandler handler = new ListenerErrorHandler();
		assertThat(handler.getMaxAttempts()).isEqualTo(10);
		assertThat(handler.handle(this.one, new IllegalStateException("boom"), 9)).isEqualTo(Decision.RETRY);
		assertThat(handler.handle(this.one, new IllegalStateException("boom"), 10)).isEqualTo(Decision.RECOVER);
	}

	@Test
	void zeroAttemptsRetriesForEverAndSaysAtStartUpThatAPoisonRecordStallsItsShard(CapturedOutput output) {
		ListenerErrorHandler handler = new ListenerErrorHandler(0, new LoggingRecordRecoverer());
		assertThat(handler.handle(this.one, new IllegalStateException("boom"), 1_000)).isEqualTo(Decision.RETRY);
		handler.verify();
		assertThat(output).contains("retried for ever").contains("stalls its shard").contains("max-attempts");
	}

	@Test
	void anUnconvertiblePayloadOrAWrappedOneIsRecoveredAtOnce() {
		ListenerErrorHandler handler = new ListenerErrorHandler();
		PayloadConversionException conversion = new PayloadConversionException(new byte[] { 1 }, String.class,
				new IllegalArgumentException("not JSON"));
		assertThat(handler.handle(this.one, conversion, 1)).isEqualTo(Decision.RECOVER);
		assertThat(handler.handle(this.one, new IllegalStateException("wrapped", conversion), 1))
			.isEqualTo(Decision.RECOVER);
		assertThat(handler.handle(this.one, new ClassCastException("wrong type"), 1)).isEqualTo(Decision.RECOVER);
	}

	@Test
	void addedNotRetryableTypesAreRecoveredAtOnceAndRemovedOnesRetried() {
		ListenerErrorHandler handler = new ListenerErrorHandler()
			.addNotRetryableExceptions(IllegalStateException.class);
		assertThat(handler.handle(this.one, new IllegalStateException("bad order"), 1)).isEqualTo(Decision.RECOVER);
		assertThat(handler.removeNotRetryableException(ClassCastException.class)).isTrue();
		assertThat(handler.handle(this.one, new ClassCastException("wrong type"), 1)).isEqualTo(Decision.RETRY);
	}

	@Test
	void aSkippedRecordIsLoggedWithItsDataAsText(CapturedOutput output) {
		CompletableFuture<Void> recovered = new ListenerErrorHandler().recover(
				record("{\"orderId\":42}".getBytes(StandardCharsets.UTF_8)), new IllegalStateException("boom"), 10);
		assertThat(recovered).isCompleted();
		assertThat(output).contains("Skipping").contains("{\"orderId\":42}").contains("shardId-000000000000/49");
	}

	@Test
	void binaryDataIsLoggedAsBase64AndLongDataWhole(CapturedOutput output) {
		LoggingRecordRecoverer recoverer = new LoggingRecordRecoverer();
		byte[] binary = { (byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2 };
		byte[] longText = "x".repeat(5_000).getBytes(StandardCharsets.UTF_8);
		recoverer.recover(record(binary), new IllegalStateException("boom"), 1);
		recoverer.recover(record(longText), new IllegalStateException("boom"), 1);
		// the log line is the only copy of a skipped record
		assertThat(output).contains("base64:84maw").contains("x".repeat(5_000)).contains("5000 bytes");
	}

	static KinesisRecord<byte[]> record(byte[] data) {
		return new KinesisRecord<>("orders", "shardId-000000000000",
				"49600000000000000000000000000000000000000000000000000001", 0, "key-1", Instant.EPOCH, data, data);
	}

}
