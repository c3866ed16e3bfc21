package dev.kinesisboot.aggregation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kinesisboot.record.KinesisRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.Record;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decoder as the consumer uses it: aggregated records unpacked with their keys and
 * sub-sequence numbers; anything else, damaged ones included, delivered as it is.
 */
class RecordDeaggregatorTests {

	private static final Instant ARRIVAL = Instant.parse("2025-01-02T03:04:05Z");

	private final RecordDeaggregator deaggregator = new RecordDeaggregator();

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	@BeforeEach
	void captureLog() {
		this.log.start();
		((Logger) LoggerFactory.getLogger(RecordDeaggregator.class)).addAppender(this.log);
	}

	@AfterEach
	void releaseLog() {
		((Logger) LoggerFactory.getLogger(RecordDeaggregator.class)).detachAppender(this.log);
	}

	@Test
	void aggregatedRecordIsUnpackedWithKeysSequenceAndSubSequenceNumbers() {
		AggregatedRecord packed = RecordAggregator
			.aggregate(List.of(user("k1", "one"), user("k2", "two"), user("k1", "three")),
					RecordAggregator.DEFAULT_MAX_SIZE)
			.get(0);
		List<KinesisRecord<byte[]>> records = this.deaggregator.expand("orders", "shardId-000000000001",
				kinesisRecord("49590", packed.partitionKey(), packed.data()));
		assertThat(records).extracting(KinesisRecord::dataAsString).containsExactly("one", "two", "three");
		assertThat(records).extracting(KinesisRecord::partitionKey).containsExactly("k1", "k2", "k1");
		assertThat(records).extracting(KinesisRecord::subSequenceNumber).containsExactly(0L, 1L, 2L);
		assertThat(records).allSatisfy((record) -> {
			assertThat(record.sequenceNumber()).isEqualTo("49590");
			assertThat(record.shardId()).isEqualTo("shardId-000000000001");
			assertThat(record.streamName()).isEqualTo("orders");
			assertThat(record.approximateArrivalTimestamp()).isEqualTo(ARRIVAL);
			assertThat(record.payload()).isSameAs(record.data());
		});
		assertThat(this.log.list).isEmpty();
	}

	@Test
	void plainRecordIsDeliveredAsItIsWithoutALog() {
		byte[] data = "{\"orderId\":42}".getBytes(StandardCharsets.UTF_8);
		List<KinesisRecord<byte[]>> records = this.deaggregator.expand("orders", "shard",
				kinesisRecord("7", "k", data));
		assertThat(records).singleElement().satisfies((record) -> {
			assertThat(record.data()).isEqualTo(data);
			assertThat(record.partitionKey()).isEqualTo("k");
			assertThat(record.subSequenceNumber()).isZero();
		});
		assertThat(this.log.list).isEmpty();
	}

	@Test
	void emptyAndShortRecordsAreDeliveredAsTheyAre() {
		assertThat(this.deaggregator.expand("s", "shard", kinesisRecord("1", "k", new byte[0]))).hasSize(1);
		assertThat(this.deaggregator.expand("s", "shard", kinesisRecord("2", "k", Arrays.copyOf(KplFormat.MAGIC, 3))))
			.hasSize(1);
	}

	@Test
	void recordWithTheMagicButAWrongMd5IsDeliveredPlainAndLoggedWithShardAndSequence() {
		byte[] data = aggregatedData();
		data[data.length - 1] ^= 1;
		List<KinesisRecord<byte[]>> records = this.deaggregator.expand("orders", "shardId-000000000003",
				kinesisRecord("4959001", "outer", data));
		assertThat(records).singleElement().satisfies((record) -> {
			assertThat(record.data()).isEqualTo(data);
			assertThat(record.partitionKey()).isEqualTo("outer");
			assertThat(record.sequenceNumber()).isEqualTo("4959001");
		});
		assertThat(this.log.list).singleElement().satisfies((event) -> {
			assertThat(event.getLevel()).isEqualTo(Level.WARN);
			assertThat(event.getFormattedMessage()).contains("4959001", "shardId-000000000003", "orders",
					"MD5 does not match", "delivered as one plain record");
		});
	}

	@Test
	void recordWithAMatchingMd5ButABrokenMessageIsDeliveredPlainAndLogged() {
		// a record field whose length runs past the end of the message
		byte[] data = withDigest(new byte[] { 0x0A, 0x01, 'k', 0x1A, 0x7F, 0x08, 0x00 });
		List<KinesisRecord<byte[]>> records = this.deaggregator.expand("orders", "shard",
				kinesisRecord("5", "outer", data));
		assertThat(records).singleElement().satisfies((record) -> assertThat(record.data()).isEqualTo(data));
		assertThat(this.log.list).singleElement()
			.satisfies((event) -> assertThat(event.getFormattedMessage()).contains("cannot be read", "runs past"));
	}

	@Test
	void userRecordNamingAMissingKeyOrLackingDataIsABrokenMessage() {
		// partition_key_index 1 of a table of one
		byte[] badIndex = withDigest(new byte[] { 0x0A, 0x01, 'k', 0x1A, 0x04, 0x08, 0x01, 0x1A, 0x00 });
		// no data field
		byte[] noData = withDigest(new byte[] { 0x0A, 0x01, 'k', 0x1A, 0x02, 0x08, 0x00 });
		// a varint that never ends
		byte[] endless = withDigest(new byte[] { 0x0A, (byte) 0xFF, (byte) 0xFF });
		for (byte[] data : List.of(badIndex, noData, endless)) {
			assertThat(RecordDeaggregator.decode(data)).isEmpty();
			assertThat(this.deaggregator.expand("s", "shard", kinesisRecord("9", "outer", data))).singleElement()
				.satisfies((record) -> assertThat(record.data()).isEqualTo(data));
		}
		assertThat(this.log.list).hasSize(3).allSatisfy((event) -> assertThat(event.getLevel()).isEqualTo(Level.WARN));
	}

	@Test
	void unknownFieldsAndTagsAreSkippedAndTablesMayComeLast() {
		ByteArrayOutputStream message = new ByteArrayOutputStream();
		// record { partition_key_index 0, explicit_hash_key_index 0, data "hi", tag { key
		// "t" } }
		message.writeBytes(new byte[] { 0x1A, 0x0F, 0x08, 0x00, 0x10, 0x00, 0x1A, 0x02, 'h', 'i', 0x22, 0x03, 0x0A,
				0x01, 't', 0x28, 0x05 });
		// a field of a newer version: number 9, fixed32
		message.writeBytes(new byte[] { 0x4D, 1, 2, 3, 4 });
		message.writeBytes(new byte[] { 0x0A, 0x03, 'k', 'e', 'y' });
		message.writeBytes(new byte[] { 0x12, 0x02, '4', '2' });
		List<UserRecord> records = RecordDeaggregator.decode(withDigest(message.toByteArray())).orElseThrow();
		assertThat(records).containsExactly(new UserRecord("key", "42", "hi".getBytes(StandardCharsets.UTF_8)));
	}

	@Test
	void aggregatedRecordWithoutUserRecordsHoldsNothing() {
		assertThat(RecordDeaggregator.decode(withDigest(new byte[] { 0x0A, 0x01, 'k' }))).contains(List.of());
	}

	private static UserRecord user(String key, String data) {
		return UserRecord.of(key, data.getBytes(StandardCharsets.UTF_8));
	}

	private static byte[] aggregatedData() {
		return RecordAggregator.aggregate(List.of(user("a", "1"), user("b", "2")), 1024).get(0).data();
	}

	static byte[] withDigest(byte[] message) {
		try {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			out.writeBytes(KplFormat.MAGIC);
			out.writeBytes(message);
			out.writeBytes(MessageDigest.getInstance("MD5").digest(message));
			return out.toByteArray();
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static Record kinesisRecord(String sequenceNumber, String partitionKey, byte[] data) {
		return Record.builder()
			.sequenceNumber(sequenceNumber)
			.partitionKey(partitionKey)
			.approximateArrivalTimestamp(ARRIVAL)
			.data(SdkBytes.fromByteArray(data))
			.build();
	}

}
