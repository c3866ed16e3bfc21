package dev.kinesisboot.producer;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Futures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;

/**
 * The largest record the stream takes (data and partition key): its
 * {@code MaxRecordSizeInKiB} from DescribeStreamSummary, 1 MiB to 10 MiB, read when the
 * producer starts and again when Kinesis refuses a call for a size. Where the endpoint
 * does not say (an emulator, or a stream from before October 2025), 1 MiB, the Kinesis
 * default. Thread-safe.
 */
final class StreamRecordLimit {

	private static final Logger logger = LoggerFactory.getLogger(StreamRecordLimit.class);

	private final Supplier<CompletableFuture<DescribeStreamSummaryResponse>> describe;

	private final String streamName;

	private volatile int maxRecordBytes = ProducerOptions.MAX_RECORD_BYTES;

	StreamRecordLimit(Supplier<CompletableFuture<DescribeStreamSummaryResponse>> describe, String streamName) {
		this.describe = describe;
		this.streamName = streamName;
	}

	/**
	 * The stream's largest record.
	 * @return bytes, data and partition key
	 */
	int maxRecordBytes() {
		return this.maxRecordBytes;
	}

	/**
	 * Reads the limit; a failed read keeps the one known.
	 * @return a future completed once read or failed to read
	 */
	CompletableFuture<Void> read() {
		return Futures.call(this.describe).handle((response, error) -> {
			if (error != null) {
				logger.debug("Could not read the maximum record size of stream '{}' ({}); using {} bytes",
						this.streamName, AwsErrors.unwrap(error).toString(), this.maxRecordBytes);
				return null;
			}
			StreamDescriptionSummary summary = response.streamDescriptionSummary();
			Integer kib = (summary != null) ? summary.maxRecordSizeInKiB() : null;
			this.maxRecordBytes = of(kib);
			return null;
		});
	}

	/**
	 * The record limit for a stream's {@code MaxRecordSizeInKiB}.
	 * @param kib the field, {@code null} when the endpoint does not send it
	 * @return bytes, between 1 MiB and 10 MiB
	 */
	static int of(Integer kib) {
		if (kib == null || kib <= 0) {
			return ProducerOptions.MAX_RECORD_BYTES;
		}
		long bytes = kib * 1024L;
		return (int) Math.max(ProducerOptions.MAX_RECORD_BYTES,
				Math.min(ProducerOptions.MAX_STREAM_RECORD_BYTES, bytes));
	}

}
