package dev.kinesisboot.listener;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.kinesisboot.producer.KinesisOperations;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.record.KinesisRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dead-letter recoverer sends an envelope under the record's own key, and a record
 * too large to be wrapped goes without its data (kept in the log) instead of failing for
 * ever.
 */
@ExtendWith(OutputCaptureExtension.class)
class DeadLetterStreamRecovererTests {

	private static final Instant NOW = Instant.parse("2026-12-02T05:00:00Z");

	private final Sent sent = new Sent();

	private final DeadLetterStreamRecoverer recoverer = new DeadLetterStreamRecoverer(this.sent, "orders-dlq")
		.withClock(Clock.fixed(NOW, ZoneOffset.UTC))
		.withMaxRecordBytes(1_000);

	@Test
	void aFailedRecordIsSentInAnEnvelopeUnderItsOwnKey() {
		byte[] data = "{\"id\":1}".getBytes(StandardCharsets.UTF_8);
		assertThat(this.recoverer.recover(record(data), new IllegalStateException("bad"), 3)).isCompleted();
		assertThat(this.sent.streams).containsExactly("orders-dlq");
		assertThat(this.sent.keys).containsExactly("key-1");
		DeadLetterEnvelope envelope = DeadLetterEnvelope.decode(this.sent.payloads.get(0));
		assertThat(envelope.data()).isEqualTo(data);
		assertThat(envelope.dataOmitted()).isFalse();
		assertThat(envelope.failedAt()).isEqualTo(NOW);
		assertThat(envelope.attempts()).isEqualTo(3);
	}

	@Test
	void aRecordTooLargeToWrapIsSentWithoutItsDataWhichGoesToTheLog(CapturedOutput output) {
		byte[] data = "y".repeat(900).getBytes(StandardCharsets.UTF_8);
		assertThat(this.recoverer.recover(record(data), new IllegalStateException("bad"), 3)).isCompleted();
		byte[] sentBytes = this.sent.payloads.get(0);
		assertThat(sentBytes.length).isLessThanOrEqualTo(1_000);
		DeadLetterEnvelope envelope = DeadLetterEnvelope.decode(sentBytes);
		assertThat(envelope.dataOmitted()).isTrue();
		assertThat(envelope.data()).isEmpty();
		assertThat(envelope.sequenceNumber()).isEqualTo(record(data).sequenceNumber());
		assertThat(output).contains("too large").contains("y".repeat(900));
	}

	@Test
	void aVeryLongErrorMessageIsCutInTheEnvelope() {
		byte[] data = "{}".getBytes(StandardCharsets.UTF_8);
		this.recoverer.withMaxRecordBytes(DeadLetterStreamRecoverer.DEFAULT_MAX_RECORD_BYTES)
			.recover(record(data), new IllegalStateException("m".repeat(100_000)), 1);
		DeadLetterEnvelope envelope = DeadLetterEnvelope.decode(this.sent.payloads.get(0));
		assertThat(envelope.exceptionMessage()).hasSize(DeadLetterEnvelope.MAX_MESSAGE_LENGTH + 3);
		assertThat(envelope.data()).isEqualTo(data);
	}

	private static KinesisRecord<byte[]> record(byte[] data) {
		return ListenerErrorHandlerTests.record(data);
	}

	/** Records what would have been sent. */
	private static final class Sent implements KinesisOperations {

		final List<String> streams = new ArrayList<>();

		final List<String> keys = new ArrayList<>();

		final List<byte[]> payloads = new ArrayList<>();

		@Override
		public CompletableFuture<PutResult> send(String stream, Object payload) {
			return send(stream, "random", payload);
		}

		@Override
		public CompletableFuture<PutResult> send(String stream, String partitionKey, Object payload) {
			this.streams.add(stream);
			this.keys.add(partitionKey);
			this.payloads.add((byte[]) payload);
			return CompletableFuture.completedFuture(new PutResult("shardId-000000000000", "1", 0));
		}

		@Override
		public CompletableFuture<Void> flush() {
			return CompletableFuture.completedFuture(null);
		}

	}

}
