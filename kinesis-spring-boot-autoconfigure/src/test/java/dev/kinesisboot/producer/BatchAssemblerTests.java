package dev.kinesisboot.producer;

import java.time.Duration;
import java.util.ArrayList;
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
		PendingRecord retried = new PendingRecord("a1".getBytes(), "a", 3, 0, Duration.ofMinutes(2).toNanos());
		retried.attempts = 1;
		long backOff = Duration.ofSeconds(5).toNanos();
		retried.notBeforeNanos = NOW + backOff;
		this.buffer.returnToFront(List.of(retried));
		queue("a2", "a");
		queue("b1", "b");

		List<Batch> batches = assembler.assemble(this.buffer, NOW, 1, false);

		assertThat(data(batches.get(0))).containsExactly("b1");
		ShardQueue queue = this.buffer.queues().iterator().next();
		assertThat(queue.retries).extracting((record) -> new String(record.data)).containsExactly("a1");
		assertThat(queue.fresh).extracting((record) -> new String(record.data)).containsExactly("a2");
		// a2 waits for a1, so nothing is due before a1's back-off ends
		assertThat(assembler.isDue(this.buffer, NOW, false)).isFalse();
		assertThat(assembler.nanosUntilDue(this.buffer, NOW, false)).isEqualTo(backOff);
		assertThat(assembler.assemble(this.buffer, NOW, 1, true)).isEmpty();
		this.keys.release(batches.get(0).heldKeys);
		assertThat(data(assembler.assemble(this.buffer, NOW + backOff, 1, false).get(0))).containsExactly("a1");
	}

	@Test
	void recordWaitingForItsBackOffDoesNotHoldBackFreshRecordsBehindIt() {
		BatchAssembler assembler = assembler(ProducerOptions.builder().bufferTime(Duration.ofMillis(500)));
		PendingRecord retried = new PendingRecord("r1".getBytes(), "r", 3, 0, Duration.ofMinutes(2).toNanos());
		retried.attempts = 1;
		retried.notBeforeNanos = NOW + Duration.ofSeconds(5).toNanos();
		this.buffer.returnToFront(List.of(retried));
		PendingRecord fresh = new PendingRecord("f1".getBytes(), "f", 2, NOW, Duration.ofMinutes(2).toNanos());
		this.buffer.add(fresh);

		// the fresh record is due at its buffer time, not when the retry's back-off ends
		assertThat(assembler.nanosUntilDue(this.buffer, NOW, false)).isEqualTo(Duration.ofMillis(500).toNanos());
		long due = NOW + Duration.ofMillis(500).toNanos();
		List<Batch> batches = assembler.assemble(this.buffer, due, 1, false);

		assertThat(batches).hasSize(1);
		assertThat(data(batches.get(0))).containsExactly("f1");
		assertThat(assembler.nanosUntilDue(this.buffer, due, false)).isEqualTo(Duration.ofMillis(4500).toNanos());
	}

	@Test
	void retriesComeBackInAnyOrderAndTheEarliestDueOfThemCounts() {
		BatchAssembler assembler = assembler(ProducerOptions.builder().bufferTime(Duration.ofMillis(500)));
		// a later call's retry settled last and went in front of an earlier call's
		PendingRecord later = new PendingRecord("r2".getBytes(), "r2", 4, NOW, Duration.ofMinutes(2).toNanos());
		PendingRecord earlier = new PendingRecord("r1".getBytes(), "r1", 4, 0, Duration.ofMinutes(2).toNanos());
		this.buffer.add(earlier);
		this.buffer.add(later);
		this.buffer.removeAll();
		this.buffer.returnToFront(List.of(later, earlier));
		later.attempts = 1;
		earlier.attempts = 1;
		earlier.notBeforeNanos = NOW + Duration.ofMillis(100).toNanos();

		assertThat(assembler.nanosUntilDue(this.buffer, NOW, false)).isEqualTo(Duration.ofMillis(100).toNanos());
	}

	@Test
	void freshRecordIsNotHiddenBehindMoreRetriesInBackOffThanAPassLooksAt() {
		BatchAssembler assembler = assembler(ProducerOptions.builder().bufferTime(Duration.ofMillis(500)));
		RecordBuffer inPutOrder = new RecordBuffer(10_000, false);
		List<PendingRecord> retries = new ArrayList<>();
		for (int i = 0; i <= BatchAssembler.SCAN_LIMIT; i++) {
			PendingRecord retry = new PendingRecord(("r" + i).getBytes(), "r" + i, "r".getBytes(), false, 8, 0,
					Duration.ofMinutes(2).toNanos());
			retry.attempts = 1;
			retry.notBeforeNanos = NOW + Duration.ofSeconds(5).toNanos();
			retries.add(retry);
		}
		inPutOrder.returnToFront(retries);
		inPutOrder.add(new PendingRecord("f1".getBytes(), "f", "f".getBytes(), false, 3, NOW,
				Duration.ofMinutes(2).toNanos()));

		// due at its buffer time, not when the first thousand retries' back-off ends
		assertThat(assembler.nanosUntilDue(inPutOrder, NOW, false)).isEqualTo(Duration.ofMillis(500).toNanos());
		List<Batch> batches = assembler.assemble(inPutOrder, NOW + Duration.ofMillis(500).toNanos(), 1, false);
		assertThat(batches).hasSize(1);
		assertThat(data(batches.get(0))).containsExactly("f1");
	}

	@Test
	void orderedFreshRecordIsNotHiddenBehindMoreRetriesInBackOffThanAPassLooksAtButItsKeysRetryStillGoesFirst() {
		BatchAssembler assembler = assembler(
				ProducerOptions.builder().orderedPerShard(true).bufferTime(Duration.ofMillis(500)));
		List<PendingRecord> retries = new ArrayList<>();
		for (int i = 0; i <= BatchAssembler.SCAN_LIMIT; i++) {
			retries.add(retry("r" + i, "r" + i, NOW + Duration.ofSeconds(5).toNanos()));
		}
		this.buffer.returnToFront(retries);
		this.buffer.add(new PendingRecord("f1".getBytes(), "f", 3, NOW, Duration.ofMinutes(2).toNanos()));
		// the last retry, beyond what a pass looks at, has the key of this fresh record
		String lastKey = "r" + BatchAssembler.SCAN_LIMIT;
		PendingRecord behindItsRetry = new PendingRecord("later".getBytes(), lastKey, 10, NOW,
				Duration.ofMinutes(2).toNanos());
		this.buffer.add(behindItsRetry);

		// due at its buffer time, not when the first thousand retries' back-off ends
		assertThat(assembler.nanosUntilDue(this.buffer, NOW, false)).isEqualTo(Duration.ofMillis(500).toNanos());
		List<Batch> batches = assembler.assemble(this.buffer, NOW + Duration.ofMillis(500).toNanos(), 1, false);
		assertThat(batches).hasSize(1);
		assertThat(data(batches.get(0))).containsExactly("f1");
		ShardQueue queue = this.buffer.queues().iterator().next();
		assertThat(queue.fresh).containsExactly(behindItsRetry);
		assertThat(queue.retries).hasSize(BatchAssembler.SCAN_LIMIT + 1);
		this.keys.release(batches.get(0).heldKeys);

		// once the back-off is over the retries go, and the later record only after its
		// key's retry was sent and its call settled
		List<String> sent = new ArrayList<>();
		for (int pass = 0; pass < 10 && !this.buffer.isEmpty(); pass++) {
			for (Batch batch : assembler.assemble(this.buffer, NOW + Duration.ofSeconds(5).toNanos(), 1, false)) {
				sent.addAll(data(batch));
				this.keys.release(batch.heldKeys);
			}
		}
		assertThat(sent).hasSize(BatchAssembler.SCAN_LIMIT + 2);
		assertThat(sent.indexOf("later")).isGreaterThan(sent.indexOf(lastKey));
		assertThat(queue.hasRetryOf(lastKey)).isFalse();
	}

	@Test
	void rateLimitWaitIsSizedByTheRecordThatMayGoNotByALargeRetryInBackOff() {
		ProducerOptions options = ProducerOptions.builder().bufferTime(Duration.ofMillis(100)).build();
		RateGate gate = new RateGate(options);
		BatchAssembler assembler = new BatchAssembler(options, gate, this.keys);
		PendingRecord large = new PendingRecord(new byte[900 * 1024], "l", 900 * 1024 + 1, 0,
				Duration.ofMinutes(2).toNanos());
		large.attempts = 1;
		large.notBeforeNanos = NOW + Duration.ofSeconds(5).toNanos();
		this.buffer.returnToFront(List.of(large));
		PendingRecord small = new PendingRecord("s".getBytes(), "s", 2, 0, Duration.ofMinutes(2).toNanos());
		this.buffer.add(small);
		String shardId = this.buffer.queues().iterator().next().shardId;
		// the shard's byte bucket is empty now
		assertThat(gate.tryTake(shardId, options.bytesPerSecondPerShard(), NOW)).isZero();

		// two bytes come back within the shortest wait; 900 KiB would take most of a
		// second
		assertThat(assembler.nanosUntilDue(this.buffer, NOW, false)).isEqualTo(Duration.ofMillis(1).toNanos());
	}

	@Test
	void rateLimitWaitForABatchCountsTheRecordsThatMayGoNotRetriesInBackOff() {
		ProducerOptions options = ProducerOptions.builder().bufferTime(Duration.ofMillis(100)).build();
		RateGate gate = new RateGate(options);
		BatchAssembler assembler = new BatchAssembler(options, gate, this.keys);
		List<PendingRecord> retries = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			PendingRecord retry = new PendingRecord(("r" + i).getBytes(), "r" + i, 3, 0,
					Duration.ofMinutes(2).toNanos());
			// numbered when it was put, as the buffer does: not part of a flush
			retry.seq = i + 1;
			retry.attempts = 1;
			retry.notBeforeNanos = NOW + Duration.ofSeconds(5).toNanos();
			retries.add(retry);
		}
		this.buffer.returnToFront(retries);
		PendingRecord fresh = new PendingRecord("f".getBytes(), "f", 2, 0, Duration.ofMinutes(2).toNanos());
		this.buffer.add(fresh);
		String shardId = this.buffer.queues().iterator().next().shardId;
		// the shard's records bucket is empty now: it gains one record a millisecond
		while (gate.tryTake(shardId, 1, NOW) == 0) {
			// take another
		}

		// the buffer time's worth of records (100) would take 100 ms; the one record that
		// may go, about 1 ms
		assertThat(assembler.nanosUntilDue(this.buffer, NOW, false))
			.isLessThanOrEqualTo(Duration.ofMillis(2).toNanos());
		List<Batch> batches = assembler.assemble(this.buffer, NOW + Duration.ofMillis(2).toNanos(), 1, false);

		assertThat(batches).hasSize(1);
		assertThat(data(batches.get(0))).containsExactly("f");
	}

	@Test
	void packedEntryRefusedByTheRateLimitGoesBackWithItsKeysInOrder() {
		ProducerOptions options = ProducerOptions.builder().orderedPerShard(true).aggregationEnabled(true).build();
		RateGate gate = new RateGate(options);
		BatchAssembler assembler = new BatchAssembler(options, gate, this.keys);
		this.buffer.rehome(FakeKinesisClient.shardMap(1));
		// a packed entry [k1, k2, x] was refused; each record got its own back-off
		PendingRecord k1 = retry("k1", "k", NOW);
		PendingRecord k2 = retry("k2", "k", NOW + Duration.ofSeconds(5).toNanos());
		PendingRecord x = retry("x1", "x", NOW);
		this.buffer.returnToFront(List.of(k1, k2, x));
		ShardQueue queue = this.buffer.queues().iterator().next();
		// the shard's byte bucket is empty: the entry [k1, x] is refused
		assertThat(gate.tryTake(queue.shardId, options.bytesPerSecondPerShard(), NOW)).isZero();

		assertThat(assembler.assemble(this.buffer, NOW, 1, false)).isEmpty();

		// k2 skipped between k1 and x: back in that order, or k2 would go before k1
		assertThat(queue.retries).containsExactly(k1, k2, x);
	}

	private static PendingRecord retry(String data, String key, long notBeforeNanos) {
		PendingRecord record = new PendingRecord(data.getBytes(), key, data.length() + key.length(), 0,
				Duration.ofMinutes(2).toNanos());
		record.attempts = 1;
		record.notBeforeNanos = notBeforeNanos;
		return record;
	}

	@Test
	void orderedRecordOfABusyKeyDoesNotHoldBackOtherKeysUntilItsCallSettles() {
		BatchAssembler assembler = assembler(ProducerOptions.builder().orderedPerShard(true));
		queue("a1", "a");
		List<Batch> first = assembler.assemble(this.buffer, NOW, 1, false);
		assertThat(data(first.get(0))).containsExactly("a1");
		queue("a2", "a");
		queue("b1", "b");

		// b1 may go while a1's call is in flight; a2 waits for it
		assertThat(assembler.nanosUntilDue(this.buffer, NOW, false)).isEqualTo(Duration.ofMillis(1).toNanos());
		assertThat(data(assembler.assemble(this.buffer, NOW, 1, false).get(0))).containsExactly("b1");
		// only a2 is left, and it waits for the settling call, not on time
		assertThat(assembler.nanosUntilDue(this.buffer, NOW, false)).isEqualTo(Long.MAX_VALUE);
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
