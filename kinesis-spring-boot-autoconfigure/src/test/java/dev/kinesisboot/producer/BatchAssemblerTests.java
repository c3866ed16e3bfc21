package dev.kinesisboot.producer;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batch assembler alone: records in, PutRecords entries out, no threads, clients or
 * clocks.
 */
class BatchAssemblerTests {

	private static final long NOW = Duration.ofSeconds(10).toNanos();

	private final KeysInFlight keys = new KeysInFlight();

	private final RecordBuffer buffer = new RecordBuffer(10_000);

	private BatchAssembler assembler(ProducerOptions.Builder options) {
		ProducerOptions built = options.rateLimitEnabled(false).build();
		return new BatchAssembler(built, new RateGate(built), this.keys);
	}

	private PendingRecord queue(String data, String key) {
		PendingRecord record = new PendingRecord(data.getBytes(), key, data.length() + key.length(), 0,
				Duration.ofMinutes(2).toNanos());
		this.buffer.add(record);
		return record;
	}

	private static List<String> data(Batch batch) {
		return batch.userRecords().stream().map((record) -> new String(record.data)).toList();
	}

	@Test
	void orderedCallCarriesOneRecordPerKeyAndOtherKeysGoPast() {
		BatchAssembler assembler = assembler(ProducerOptions.builder().orderedPerShard(true));
		queue("a1", "a");
		queue("a2", "a");
		queue("b1", "b");
		queue("a3", "a");
		queue("c1", "c");

		List<Batch> first = assembler.assemble(this.buffer, NOW, 1, false);

		assertThat(first).hasSize(1);
		assertThat(data(first.get(0))).containsExactly("a1", "b1", "c1");
		// the keys stay held while the call is in flight: nothing more may go
		assertThat(assembler.assemble(this.buffer, NOW, 1, false)).isEmpty();

		this.keys.release(first.get(0).heldKeys);
		assertThat(data(assembler.assemble(this.buffer, NOW, 1, false).get(0))).containsExactly("a2");
	}

	@Test
	void orderedRecordWaitingForItsRetryHoldsBackTheLaterRecordsOfItsKeyOnly() {
		BatchAssembler assembler = assembler(ProducerOptions.builder().orderedPerShard(true));
		PendingRecord retried = queue("a1", "a");
		queue("a2", "a");
		queue("b1", "b");
		retried.notBeforeNanos = NOW + 1;

		// a shard whose oldest record waits for its back-off waits with it, unless
		// drained
		assertThat(assembler.assemble(this.buffer, NOW, 1, false)).isEmpty();
		assertThat(assembler.nanosUntilDue(this.buffer, NOW, false)).isEqualTo(Duration.ofMillis(1).toNanos());
		List<Batch> drained = assembler.assemble(this.buffer, NOW, 1, true);

		assertThat(data(drained.get(0))).containsExactly("b1");
		assertThat(this.buffer.queues().iterator().next().records).extracting((record) -> new String(record.data))
			.containsExactly("a1", "a2");
		assertThat(data(assembler.assemble(this.buffer, NOW + 1, 1, false).get(0))).containsExactly("a1");
	}

	@Test
	void unorderedCallTakesEveryReadyRecordInQueueOrder() {
		BatchAssembler assembler = assembler(ProducerOptions.builder());
		queue("a1", "a");
		queue("a2", "a");
		queue("b1", "b");

		List<Batch> batches = assembler.assemble(this.buffer, NOW, 1, false);

		assertThat(data(batches.get(0))).containsExactly("a1", "a2", "b1");
		assertThat(this.buffer.isEmpty()).isTrue();
	}

	@Test
	void nothingGoesBeforeTheBufferTimeUnlessFlushedOrDraining() {
		BatchAssembler assembler = assembler(ProducerOptions.builder().bufferTime(Duration.ofSeconds(1)));
		PendingRecord record = new PendingRecord("x".getBytes(), "k", 2, NOW, Duration.ofMinutes(2).toNanos());
		this.buffer.add(record);

		assertThat(assembler.assemble(this.buffer, NOW, 1, false)).isEmpty();
		assertThat(assembler.nanosUntilDue(this.buffer, NOW, false)).isEqualTo(Duration.ofSeconds(1).toNanos());
		assertThat(assembler.assemble(this.buffer, NOW, 1, true)).hasSize(1);
	}

	@Test
	void recordLargerThanTheBatchLimitGoesInACallOfItsOwn() {
		BatchAssembler assembler = assembler(ProducerOptions.builder().maxBatchBytes(ProducerOptions.MAX_RECORD_BYTES));
		this.buffer.add(new PendingRecord(new byte[1], "k", 1, 0, Duration.ofMinutes(2).toNanos()));
		this.buffer.add(new PendingRecord(new byte[3 * 1024 * 1024], "k", 3 * 1024 * 1024 + 1, 0,
				Duration.ofMinutes(2).toNanos()));

		List<Batch> batches = assembler.assemble(this.buffer, NOW, 2, false);

		assertThat(batches).extracting((batch) -> batch.entries.size()).containsExactly(1, 1);
		assertThat(batches.get(1).bytes).isEqualTo(3 * 1024 * 1024 + 1);
	}

}
