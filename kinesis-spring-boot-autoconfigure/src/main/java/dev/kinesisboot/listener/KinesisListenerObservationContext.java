package dev.kinesisboot.listener;

import java.util.List;

import dev.kinesisboot.record.KinesisRecord;
import io.micrometer.observation.Observation;

/**
 * What an observation of a listener call knows: the listener, the stream and group it
 * reads, and the records of the call (one, or a batch). A convention reads it to make key
 * values. One observation uses it: not thread-safe.
 */
public class KinesisListenerObservationContext extends Observation.Context {

	private final String listenerId;

	private final String stream;

	private final String group;

	private final List<KinesisRecord<byte[]>> records;

	private final boolean batch;

	/**
	 * A context for one listener call.
	 * @param listenerId the container id
	 * @param stream the stream's name (the name part of an ARN)
	 * @param group the consumer group
	 * @param records the records of the call, never empty
	 * @param batch whether the listener takes batches
	 */
	public KinesisListenerObservationContext(String listenerId, String stream, String group,
			List<KinesisRecord<byte[]>> records, boolean batch) {
		this.listenerId = listenerId;
		this.stream = stream;
		this.group = group;
		this.records = records;
		this.batch = batch;
	}

	/**
	 * The listener's container id.
	 * @return the id
	 */
	public String getListenerId() {
		return this.listenerId;
	}

	/**
	 * The stream's name.
	 * @return the name, never an ARN
	 */
	public String getStream() {
		return this.stream;
	}

	/**
	 * The consumer group.
	 * @return the group
	 */
	public String getGroup() {
		return this.group;
	}

	/**
	 * The records given to the listener, with their raw data.
	 * @return one record, or the batch in batch mode
	 */
	public List<KinesisRecord<byte[]>> getRecords() {
		return this.records;
	}

	/**
	 * Whether the listener takes batches.
	 * @return {@code true} in batch mode
	 */
	public boolean isBatch() {
		return this.batch;
	}

}
