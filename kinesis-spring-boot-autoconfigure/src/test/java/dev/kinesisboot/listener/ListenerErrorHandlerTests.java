package dev.kinesisboot.listener;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import dev.kinesisboot.consumer.ConsumerErrorHandler.Decision;
import dev.kinesisboot.record.KinesisRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A record skipped without a dead-letter stream leaves its data in the log, so it can be
 * replayed by hand.
 */
@ExtendWith(OutputCaptureExtension.class)
class ListenerErrorHandlerTests {

	@Test
	void aSkippedRecordIsLoggedWithItsDataAsText(CapturedOutput output) {
		ListenerErrorHandler handler = new ListenerErrorHandler(1, null);
		Decision decision = handler.handle(List.of(record("{\"orderId\":42}".getBytes(StandardCharsets.UTF_8))),
				new IllegalStateException("boom"), 1);
		assertThat(decision).isEqualTo(Decision.SKIP);
		assertThat(output).contains("Skipping").contains("{\"orderId\":42}").contains("shardId-000000000000/49");
	}

	@Test
	void binaryDataIsLoggedAsBase64AndLongDataIsCut(CapturedOutput output) {
		ListenerErrorHandler handler = new ListenerErrorHandler(1, null);
		byte[] binary = { (byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2 };
		byte[] longText = "x".repeat(5_000).getBytes(StandardCharsets.UTF_8);
		handler.handle(List.of(record(binary), record(longText)), new IllegalStateException("boom"), 1);
		assertThat(output).contains("base64:84maw")
			.contains("x".repeat(1_000))
			.doesNotContain("x".repeat(1_100))
			.contains("5000 bytes");
	}

	private static KinesisRecord<byte[]> record(byte[] data) {
		return new KinesisRecord<>("orders", "shardId-000000000000",
				"49600000000000000000000000000000000000000000000000000001", 0, "key-1", Instant.EPOCH, data, data);
	}

}
