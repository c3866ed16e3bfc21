package dev.kinesisboot.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * The Kinesis records of one PutRecords call, and the partition keys it holds while in
 * flight (with ordering on). Not thread-safe.
 */
final class Batch {

	final List<BatchEntry> entries;

	/** Keys held in {@link KeysInFlight} until the call is settled. */
	final List<String> heldKeys = new ArrayList<>();

	private final int maxRecords;

	private final long maxBytes;

	long bytes;

	/** The data bytes of the entries, as counted in the bytes-sent metric. */
	long dataBytes;

	Batch(int maxRecords, long maxBytes) {
		// at most 500 (the PutRecords limit): room for a full batch from the start
		this.entries = new ArrayList<>(maxRecords);
		this.maxRecords = maxRecords;
		this.maxBytes = maxBytes;
	}

	/**
	 * Whether an entry of the given size fits; an entry larger than the byte limit fits
	 * an empty batch, so that a record the stream takes is never stuck.
	 */
	boolean fits(long size) {
		return this.entries.size() < this.maxRecords && (this.entries.isEmpty() || this.bytes + size <= this.maxBytes);
	}

	boolean isFull() {
		return this.entries.size() >= this.maxRecords;
	}

	void add(BatchEntry entry) {
		this.entries.add(entry);
		this.bytes += entry.size;
		this.dataBytes += entry.dataBytes;
	}

	List<PendingRecord> userRecords() {
		List<PendingRecord> records = new ArrayList<>(this.entries.size());
		forEachRecord(records::add);
		return records;
	}

	/**
	 * Hands each user record of the batch to an action, in batch order (the members of a
	 * packed entry in their order).
	 * @param action the action
	 */
	void forEachRecord(Consumer<PendingRecord> action) {
		for (BatchEntry entry : this.entries) {
			for (int i = 0; i < entry.recordCount(); i++) {
				action.accept(entry.record(i));
			}
		}
	}

	/**
	 * The entries of the PutRecords request, in batch order.
	 * @return the request entries
	 */
	List<PutRecordsRequestEntry> requestEntries() {
		List<PutRecordsRequestEntry> request = new ArrayList<>(this.entries.size());
		for (BatchEntry entry : this.entries) {
			request.add(PutRecordsRequestEntry.builder()
				.data(SdkBytes.fromByteArrayUnsafe(entry.data))
				.partitionKey(entry.partitionKey)
				.explicitHashKey(entry.explicitHashKey)
				.build());
		}
		return request;
	}

}
