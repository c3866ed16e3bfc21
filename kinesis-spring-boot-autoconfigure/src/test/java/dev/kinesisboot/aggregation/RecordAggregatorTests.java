package dev.kinesisboot.aggregation;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The encoder: user records packed into KPL aggregated records and unpacked again, within
 * the size limit to the byte.
 */
class RecordAggregatorTests {

	@ParameterizedTest
	@ValueSource(ints = { 1, 2, 3, 10, 100, 1_000, 10_000 })
	void userRecordsOfRandomSizesSurviveTheRoundTripInOrder(int count) {
		Random random = new Random(count);
		List<UserRecord> records = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			records.add(randomRecord(random, i, 1 + random.nextInt(20), random.nextInt(2_000)));
		}
		List<AggregatedRecord> packed = RecordAggregator.aggregate(records, RecordAggregator.DEFAULT_MAX_SIZE);
		List<UserRecord> unpacked = new ArrayList<>();
		for (AggregatedRecord record : packed) {
			assertThat(record.size()).isLessThanOrEqualTo(RecordAggregator.DEFAULT_MAX_SIZE);
			unpacked.addAll(unpack(record));
		}
		assertThat(unpacked).containsExactlyElementsOf(records);
		assertThat(packed.stream().mapToInt(AggregatedRecord::userRecordCount).sum()).isEqualTo(count);
	}

	@Test
	void largeUserRecordsFillRecordsUpToTheLimitAndNeverOver() {
		Random random = new Random(7);
		List<UserRecord> records = new ArrayList<>();
		for (int i = 0; i < 300; i++) {
			records.add(randomRecord(random, i, 40, random.nextInt(120_000)));
		}
		List<AggregatedRecord> packed = RecordAggregator.aggregate(records, RecordAggregator.DEFAULT_MAX_SIZE);
		assertThat(packed)
			.allSatisfy((record) -> assertThat(record.size()).isLessThanOrEqualTo(RecordAggregator.DEFAULT_MAX_SIZE));
		assertThat(packed.stream().flatMap((record) -> unpack(record).stream()).toList())
			.containsExactlyElementsOf(records);
		// greedy: each record but the last was full enough that the next user record
		// did not fit
		for (int i = 0; i < packed.size() - 1; i++) {
			assertThat(packed.get(i).size()).isGreaterThan(RecordAggregator.DEFAULT_MAX_SIZE - 125_000);
		}
	}

	@Test
	void aggregateOfExactlyTheMaximumSizeIsBuiltAndOneByteMoreGoesToTheNext() {
		UserRecord first = UserRecord.of("key-a", new byte[1000]);
		RecordAggregator probe = new RecordAggregator(RecordAggregator.KINESIS_MAX_RECORD_BYTES);
		probe.tryAdd(first);
		probe.tryAdd(UserRecord.of("key-b", new byte[0]));
		int sizeWithEmptySecond = probe.size();
		probe.reset();
		// a second record whose data makes the aggregate exactly 1 MiB: its length
		// varints grow from 1 to 3 bytes between 0 and 1 MiB of data
		int data = RecordAggregator.KINESIS_MAX_RECORD_BYTES - sizeWithEmptySecond - 4;
		UserRecord second = UserRecord.of("key-b", new byte[data]);
		RecordAggregator aggregator = new RecordAggregator(RecordAggregator.KINESIS_MAX_RECORD_BYTES);
		assertThat(aggregator.tryAdd(first)).isTrue();
		assertThat(aggregator.tryAdd(second)).isTrue();
		assertThat(aggregator.size()).isEqualTo(RecordAggregator.KINESIS_MAX_RECORD_BYTES);
		AggregatedRecord exact = aggregator.build();
		assertThat(exact.size()).isEqualTo(RecordAggregator.KINESIS_MAX_RECORD_BYTES);
		assertThat(exact.data().length + "key-a".length()).isEqualTo(RecordAggregator.KINESIS_MAX_RECORD_BYTES);
		assertThat(unpack(exact)).containsExactly(first, second);

		UserRecord oneByteMore = UserRecord.of("key-b", new byte[data + 1]);
		assertThat(aggregator.tryAdd(first)).isTrue();
		assertThat(aggregator.tryAdd(oneByteMore)).isFalse();
		assertThat(aggregator.count()).isOne();
		List<AggregatedRecord> split = RecordAggregator.aggregate(List.of(first, oneByteMore),
				RecordAggregator.KINESIS_MAX_RECORD_BYTES);
		assertThat(split).hasSize(2).allSatisfy((record) -> assertThat(record.isAggregated()).isFalse());
	}

	@Test
	void sizeCountsMagicMessageDigestAndOuterPartitionKeyExactly() {
		Random random = new Random(3);
		RecordAggregator aggregator = new RecordAggregator();
		for (int i = 0; i < 500; i++) {
			UserRecord record = randomRecord(random, i, 1 + random.nextInt(200), random.nextInt(300));
			assertThat(aggregator.tryAdd((i % 7 == 0) ? withHashKey(record, random) : record)).isTrue();
		}
		int expected = aggregator.size();
		AggregatedRecord record = aggregator.build();
		assertThat(record.data().length + record.partitionKey().getBytes(StandardCharsets.UTF_8).length)
			.isEqualTo(expected);
	}

	@Test
	void userRecordTooLargeToShareARecordGoesAloneAsItIs() {
		byte[] big = new byte[RecordAggregator.KINESIS_MAX_RECORD_BYTES - 10];
		UserRecord small = UserRecord.of("s", new byte[] { 1 });
		UserRecord large = UserRecord.of("large", big);
		List<AggregatedRecord> packed = RecordAggregator.aggregate(List.of(small, small, large, small, small),
				RecordAggregator.DEFAULT_MAX_SIZE);
		assertThat(packed).hasSize(3);
		assertThat(packed.get(0).userRecordCount()).isEqualTo(2);
		assertThat(packed.get(1).isAggregated()).isFalse();
		assertThat(packed.get(1).data()).isSameAs(big);
		assertThat(packed.get(1).partitionKey()).isEqualTo("large");
		assertThat(packed.get(1).explicitHashKey()).isNull();
		assertThat(packed.get(2).userRecordCount()).isEqualTo(2);
		assertThat(RecordDeaggregator.hasMagic(packed.get(1).data())).isFalse();
	}

	@Test
	void userRecordOverTheKinesisLimitIsRefusedWithItsSize() {
		UserRecord tooLarge = UserRecord.of("k", new byte[RecordAggregator.KINESIS_MAX_RECORD_BYTES]);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RecordAggregator.aggregate(List.of(tooLarge), RecordAggregator.DEFAULT_MAX_SIZE))
			.withMessageContaining("1048577 bytes")
			.withMessageContaining("exceeds the Kinesis limit of 1048576");
	}

	@Test
	void everyUserRecordKeepsItsOwnPartitionKeyAndTheTableHoldsEachKeyOnce() throws Exception {
		List<UserRecord> records = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			records.add(UserRecord.of("customer-" + (i % 3), ("event-" + i).getBytes(StandardCharsets.UTF_8)));
		}
		AggregatedRecord record = RecordAggregator.aggregate(records, RecordAggregator.DEFAULT_MAX_SIZE).get(0);
		assertThat(record.userRecordCount()).isEqualTo(30);
		assertThat(record.partitionKey()).isEqualTo("customer-0");
		assertThat(record.explicitHashKey()).isEqualTo(new BigInteger(1,
				MessageDigest.getInstance("MD5").digest("customer-0".getBytes(StandardCharsets.UTF_8)))
			.toString());
		String text = new String(record.data(), StandardCharsets.ISO_8859_1);
		for (int key = 0; key < 3; key++) {
			String name = "customer-" + key;
			assertThat(text.indexOf(name)).isNotNegative().isEqualTo(text.lastIndexOf(name));
		}
		assertThat(unpack(record)).extracting(UserRecord::partitionKey)
			.containsExactlyElementsOf(records.stream().map(UserRecord::partitionKey).toList());
	}

	@Test
	void explicitHashKeysAreKeptAndTheFirstRoutesTheRecord() {
		UserRecord routed = new UserRecord("a", "12345678901234567890", new byte[] { 1 });
		UserRecord plain = UserRecord.of("b", new byte[] { 2 });
		UserRecord routedAgain = new UserRecord("c", "12345678901234567890", new byte[] { 3 });
		AggregatedRecord record = RecordAggregator.aggregate(List.of(routed, plain, routedAgain), 10_000).get(0);
		assertThat(record.explicitHashKey()).isEqualTo("12345678901234567890");
		assertThat(record.partitionKey()).isEqualTo("a");
		assertThat(unpack(record)).containsExactly(routed, plain, routedAgain);
	}

	@Test
	void dataStartsWithTheMagicAndEndsWithTheMd5OfTheMessage() throws Exception {
		AggregatedRecord record = RecordAggregator
			.aggregate(List.of(UserRecord.of("a", new byte[] { 1 }), UserRecord.of("b", new byte[] { 2 })), 10_000)
			.get(0);
		byte[] data = record.data();
		assertThat(Arrays.copyOf(data, 4)).containsExactly(0xF3, 0x89, 0x9A, 0xC2);
		byte[] message = Arrays.copyOfRange(data, 4, data.length - 16);
		assertThat(Arrays.copyOfRange(data, data.length - 16, data.length))
			.isEqualTo(MessageDigest.getInstance("MD5").digest(message));
	}

	@Test
	void buildWithoutRecordsFails() {
		assertThatIllegalStateException().isThrownBy(() -> new RecordAggregator().build());
	}

	@Test
	void maxSizeAboveTheKinesisLimitIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RecordAggregator(RecordAggregator.KINESIS_MAX_RECORD_BYTES + 1))
			.withMessageContaining("the Kinesis record limit");
	}

	static List<UserRecord> unpack(AggregatedRecord record) {
		if (!record.isAggregated()) {
			return List.of(new UserRecord(record.partitionKey(), record.explicitHashKey(), record.data()));
		}
		return RecordDeaggregator.decode(record.data()).orElseThrow();
	}

	static UserRecord randomRecord(Random random, int index, int keyLength, int dataLength) {
		StringBuilder key = new StringBuilder("k").append(index % 97).append('-');
		while (key.length() < keyLength) {
			// some multi-byte characters, so that key sizes are counted in UTF-8 bytes
			key.append((random.nextInt(10) == 0) ? 'é' : (char) ('a' + random.nextInt(26)));
		}
		byte[] data = new byte[dataLength];
		random.nextBytes(data);
		return UserRecord.of(key.toString(), data);
	}

	private static UserRecord withHashKey(UserRecord record, Random random) {
		return new UserRecord(record.partitionKey(), new BigInteger(127, random).toString(), record.data());
	}

}
