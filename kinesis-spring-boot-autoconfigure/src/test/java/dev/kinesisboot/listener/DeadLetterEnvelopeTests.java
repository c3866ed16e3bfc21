package dev.kinesisboot.listener;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import dev.kinesisboot.record.KinesisRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The dead-letter envelope keeps a record's data unchanged and its metadata readable, and
 * refuses data that is no envelope with a message that says so.
 */
class DeadLetterEnvelopeTests {

	private static final Instant ARRIVED = Instant.parse("2026-12-02T04:00:00Z");

	private static final Instant FAILED = Instant.parse("2026-12-02T04:00:05.123Z");

	@Test
	void anEnvelopeReadBackHoldsTheOriginalDataAndMetadata() {
		byte[] binary = { 0, (byte) 0xFF, 10, 13, '"', '\\' };
		KinesisRecord<byte[]> record = new KinesisRecord<>("orders", "shardId-000000000003", "4960001", 7, "key-€",
				ARRIVED, binary, binary);
		byte[] written = DeadLetterEnvelope.of(record, new IllegalStateException("bad \"order\"\n"), 10, FAILED)
			.toBytes();
		assertThat(DeadLetterEnvelope.isEnvelope(written)).isTrue();
		DeadLetterEnvelope read = DeadLetterEnvelope.decode(written);
		assertThat(read).isEqualTo(new DeadLetterEnvelope("orders", "shardId-000000000003", "4960001", 7, "key-€",
				ARRIVED, 10, IllegalStateException.class.getName(), "bad \"order\"\n", FAILED, binary, false));
		assertThat(new String(written, StandardCharsets.UTF_8)).startsWith("{\"kinesisDeadLetter\":1,");
	}

	@Test
	void aRecordWithoutArrivalTimeOrErrorMessageStillMakesAnEnvelope() {
		byte[] data = "x".getBytes(StandardCharsets.UTF_8);
		KinesisRecord<byte[]> record = new KinesisRecord<>("orders", "shardId-000000000000", "1", 0, "k", null, data,
				data);
		DeadLetterEnvelope read = DeadLetterEnvelope
			.decode(DeadLetterEnvelope.of(record, new NullPointerException(), 1, FAILED).toBytes());
		assertThat(read.arrivalTime()).isNull();
		assertThat(read.exceptionMessage()).isNull();
		assertThat(read.data()).isEqualTo(data);
	}

	@Test
	void dataThatIsNoEnvelopeIsRefusedWithAMessageThatSaysSo() {
		byte[] text = "plain record".getBytes(StandardCharsets.UTF_8);
		assertThat(DeadLetterEnvelope.isEnvelope(text)).isFalse();
		assertThatIllegalArgumentException().isThrownBy(() -> DeadLetterEnvelope.decode(text))
			.withMessageContaining("not JSON");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> DeadLetterEnvelope.decode("{\"id\":1}".getBytes(StandardCharsets.UTF_8)))
			.withMessageContaining("no 'kinesisDeadLetter' field");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> DeadLetterEnvelope.decode("{\"kinesisDeadLetter\":2}".getBytes(StandardCharsets.UTF_8)))
			.withMessageContaining("version 2")
			.withMessageContaining("upgrade");
	}

}
