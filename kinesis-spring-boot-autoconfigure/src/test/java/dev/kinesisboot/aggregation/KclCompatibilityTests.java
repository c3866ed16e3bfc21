package dev.kinesisboot.aggregation;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;
import software.amazon.kinesis.retrieval.kpl.Messages;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our KPL format against the KCL's own de-aggregation ({@code AggregatorUtil}) and the
 * protobuf-java classes it was generated with, both ways, plus one record written out by
 * hand from the format description.
 */
class KclCompatibilityTests {

	private final AggregatorUtil kcl = new AggregatorUtil();

	@Test
	void theKclUnpacksOurAggregatedRecordsIntoTheSameUserRecords() {
		Random random = new Random(11);
		List<UserRecord> records = new ArrayList<>();
		for (int i = 0; i < 5_000; i++) {
			UserRecord record = RecordAggregatorTests.randomRecord(random, i, 1 + random.nextInt(40),
					random.nextInt(600));
			records.add((i % 10 == 3)
					? new UserRecord(record.partitionKey(), new BigInteger(128, random).toString(), record.data())
					: record);
		}
		List<AggregatedRecord> packed = RecordAggregator.aggregate(records, RecordAggregator.DEFAULT_MAX_SIZE);
		assertThat(packed).hasSizeGreaterThan(1);
		List<UserRecord> unpacked = new ArrayList<>();
		for (int i = 0; i < packed.size(); i++) {
			AggregatedRecord record = packed.get(i);
			List<KinesisClientRecord> kclRecords = this.kcl
				.deaggregate(List.of(kclRecord(String.valueOf(1000 + i), record.partitionKey(), record.data())));
			assertThat(kclRecords).hasSize(record.userRecordCount());
			for (int sub = 0; sub < kclRecords.size(); sub++) {
				KinesisClientRecord user = kclRecords.get(sub);
				assertThat(user.aggregated()).isTrue();
				assertThat(user.subSequenceNumber()).isEqualTo(sub);
				assertThat(user.sequenceNumber()).isEqualTo(String.valueOf(1000 + i));
				unpacked.add(new UserRecord(user.partitionKey(), user.explicitHashKey(), bytes(user.data())));
			}
		}
		assertThat(unpacked).containsExactlyElementsOf(records);
	}

	@Test
	void ourBytesAreTheBytesProtobufJavaWritesForTheSameMessage() {
		List<UserRecord> records = List.of(UserRecord.of("alpha", utf8("first")),
				new UserRecord("beta", "170141183460469231731687303715884105728", utf8("second")),
				UserRecord.of("alpha", new byte[0]), UserRecord.of("gamma", new byte[300]));
		AggregatedRecord ours = RecordAggregator.aggregate(records, RecordAggregator.DEFAULT_MAX_SIZE).get(0);
		Messages.AggregatedRecord expected = Messages.AggregatedRecord.newBuilder()
			.addPartitionKeyTable("alpha")
			.addPartitionKeyTable("beta")
			.addPartitionKeyTable("gamma")
			.addExplicitHashKeyTable("170141183460469231731687303715884105728")
			.addRecords(
					Messages.Record.newBuilder().setPartitionKeyIndex(0).setData(ByteString.copyFrom(utf8("first"))))
			.addRecords(Messages.Record.newBuilder()
				.setPartitionKeyIndex(1)
				.setExplicitHashKeyIndex(0)
				.setData(ByteString.copyFrom(utf8("second"))))
			.addRecords(Messages.Record.newBuilder().setPartitionKeyIndex(0).setData(ByteString.EMPTY))
			.addRecords(
					Messages.Record.newBuilder().setPartitionKeyIndex(2).setData(ByteString.copyFrom(new byte[300])))
			.build();
		byte[] message = Arrays.copyOfRange(ours.data(), 4, ours.data().length - 16);
		assertThat(message).isEqualTo(expected.toByteArray());
	}

	@Test
	void weUnpackRecordsBuiltWithTheKplSchemaIncludingTags() {
		Messages.AggregatedRecord message = Messages.AggregatedRecord.newBuilder()
			.addPartitionKeyTable("p0")
			.addPartitionKeyTable("p1")
			.addExplicitHashKeyTable("99")
			.addRecords(Messages.Record.newBuilder()
				.setPartitionKeyIndex(1)
				.setData(ByteString.copyFrom(utf8("a")))
				.addTags(Messages.Tag.newBuilder().setKey("colour").setValue("blue")))
			.addRecords(Messages.Record.newBuilder()
				.setPartitionKeyIndex(0)
				.setExplicitHashKeyIndex(0)
				.setData(ByteString.copyFrom(utf8("b"))))
			.build();
		byte[] data = RecordDeaggregatorTests.withDigest(message.toByteArray());
		assertThat(RecordDeaggregator.decode(data)).hasValueSatisfying((records) -> assertThat(records)
			.containsExactly(UserRecord.of("p1", utf8("a")), new UserRecord("p0", "99", utf8("b"))));
	}

	@Test
	void theKclAndWeBothDeliverADamagedRecordAsItIs() {
		byte[] data = RecordAggregator
			.aggregate(List.of(UserRecord.of("a", utf8("1")), UserRecord.of("b", utf8("2"))), 1024)
			.get(0)
			.data();
		data[data.length - 1] ^= 1;
		List<KinesisClientRecord> kclRecords = this.kcl.deaggregate(List.of(kclRecord("1", "outer", data)));
		assertThat(kclRecords).singleElement().satisfies((record) -> {
			assertThat(record.aggregated()).isFalse();
			assertThat(bytes(record.data())).isEqualTo(data);
		});
		assertThat(new RecordDeaggregator().expand("s", "shard",
				RecordDeaggregatorTests.kinesisRecord("1", "outer", data)))
			.singleElement()
			.satisfies((record) -> assertThat(record.data()).isEqualTo(data));
	}

	@Test
	void theKclDropsAWholeAggregatedRecordWhenOneUserRecordIsOutsideTheShardWhileWeDeliverIt() {
		// what the KCL does after a split when it knows the shard's hash-key range; we
		// deliver every user record (see RecordDeaggregator)
		UserRecord inside = new UserRecord("a", "10", utf8("inside"));
		UserRecord outside = new UserRecord("b", "1000", utf8("outside"));
		AggregatedRecord record = RecordAggregator.aggregate(List.of(inside, outside), 1024).get(0);
		List<KinesisClientRecord> filtered = this.kcl.deaggregate(
				List.of(kclRecord("1", record.partitionKey(), record.data())), BigInteger.ZERO,
				BigInteger.valueOf(100));
		assertThat(filtered).isEmpty();
		assertThat(new RecordDeaggregator().expand("s", "shard",
				RecordDeaggregatorTests.kinesisRecord("1", record.partitionKey(), record.data())))
			.extracting(dev.kinesisboot.record.KinesisRecord::dataAsString)
			.containsExactly("inside", "outside");
	}

	@Test
	void recordWrittenByHandFromTheFormatDescriptionIsWhatWeWriteAndReadAndWhatTheKclReads() {
		// magic | key table "a", "b" | record {key 0, data "x"} | record {key 1, data
		// "yz"} | MD5
		byte[] expected = HexFormat.of()
			.parseHex("f3899ac2" + "0a0161" + "0a0162" + "1a05" + "0800" + "1a0178" + "1a06" + "0801" + "1a02797a"
					+ "6fe1bc1407aabc41e3e0c88f3f668baf");
		AggregatedRecord ours = RecordAggregator
			.aggregate(List.of(UserRecord.of("a", utf8("x")), UserRecord.of("b", utf8("yz"))), 1024)
			.get(0);
		assertThat(ours.data()).isEqualTo(expected);
		assertThat(ours.partitionKey()).isEqualTo("a");
		assertThat(ours.explicitHashKey()).isEqualTo("16955237001963240173058271559858726497");
		assertThat(RecordDeaggregator.decode(expected))
			.contains(List.of(UserRecord.of("a", utf8("x")), UserRecord.of("b", utf8("yz"))));
		assertThat(this.kcl.deaggregate(List.of(kclRecord("1", "a", expected))))
			.extracting((record) -> record.partitionKey() + "=" + StandardCharsets.UTF_8.decode(record.data()))
			.containsExactly("a=x", "b=yz");
	}

	private static KinesisClientRecord kclRecord(String sequenceNumber, String partitionKey, byte[] data) {
		return KinesisClientRecord.fromRecord(Record.builder()
			.sequenceNumber(sequenceNumber)
			.partitionKey(partitionKey)
			.approximateArrivalTimestamp(Instant.now())
			.data(SdkBytes.fromByteArray(data))
			.build());
	}

	private static byte[] bytes(ByteBuffer buffer) {
		ByteBuffer copy = buffer.duplicate();
		byte[] bytes = new byte[copy.remaining()];
		copy.get(bytes);
		return bytes;
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
