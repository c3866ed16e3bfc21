package dev.kinesisboot.producer;

import java.util.function.Consumer;

/**
 * Completes one record's future, with where Kinesis stored it or with why it failed.
 */
final class RecordCompletion implements Completion {

	private final PendingRecord record;

	private final PutResult result;

	private final Throwable error;

	private RecordCompletion(PendingRecord record, PutResult result, Throwable error) {
		this.record = record;
		this.result = result;
		this.error = error;
	}

	/**
	 * A completion that succeeds a record.
	 * @param record the record
	 * @param result where Kinesis stored it
	 * @return the completion
	 */
	static RecordCompletion stored(PendingRecord record, PutResult result) {
		return new RecordCompletion(record, result, null);
	}

	/**
	 * A completion that fails a record.
	 * @param record the record
	 * @param error why
	 * @return the completion
	 */
	static RecordCompletion failed(PendingRecord record, Throwable error) {
		return new RecordCompletion(record, null, error);
	}

	@Override
	public void forEachRecord(Consumer<PendingRecord> action) {
		action.accept(this.record);
	}

	@Override
	public void run() {
		if (this.error == null) {
			this.record.future.complete(this.result);
		}
		else {
			this.record.future.completeExceptionally(this.error);
		}
	}

}
