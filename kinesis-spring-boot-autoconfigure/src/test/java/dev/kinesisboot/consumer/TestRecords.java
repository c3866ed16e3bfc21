package dev.kinesisboot.consumer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Kinesis records for the scripted clients of the consumer's unit tests.
 */
final class TestRecords {

	private TestRecords() {
	}

	/**
	 * A plain record with partition key {@code k}, arrived now.
	 * @param sequence the sequence number
	 * @param data the data, as UTF-8
	 * @return the record
	 */
	static Record record(String sequence, String data) {
		return Record.builder()
			.sequenceNumber(sequence)
			.partitionKey("k")
			.approximateArrivalTimestamp(Instant.now())
			.data(SdkBytes.fromString(data, StandardCharsets.UTF_8))
			.build();
	}

}
