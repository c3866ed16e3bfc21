package dev.kinesisboot.producer;

import io.micrometer.observation.Observation;

/**
 * What an observation of a {@link KinesisTemplate} send knows: the stream, the partition
 * key and payload given, and where Kinesis stored the record once it did. A convention
 * reads it to make key values. One observation uses it: not thread-safe.
 */
public class KinesisTemplateObservationContext extends Observation.Context {

	private final String stream;

	private final String partitionKey;

	private final Object payload;

	private PutResult result;

	/**
	 * A context for one send.
	 * @param stream the stream's name (the name part of an ARN)
	 * @param partitionKey the partition key given, or {@code null} when the stream's key
	 * strategy chooses it
	 * @param payload the payload given
	 */
	public KinesisTemplateObservationContext(String stream, String partitionKey, Object payload) {
		this.stream = stream;
		this.partitionKey = partitionKey;
		this.payload = payload;
	}

	/**
	 * The stream's name.
	 * @return the name, never an ARN
	 */
	public String getStream() {
		return this.stream;
	}

	/**
	 * The partition key given to the send.
	 * @return the key, or {@code null} when the stream's key strategy chose it
	 */
	public String getPartitionKey() {
		return this.partitionKey;
	}

	/**
	 * The payload given to the send.
	 * @return the payload
	 */
	public Object getPayload() {
		return this.payload;
	}

	/**
	 * Where Kinesis stored the record.
	 * @return the result, or {@code null} before the send succeeded and when it failed
	 */
	public PutResult getResult() {
		return this.result;
	}

	void setResult(PutResult result) {
		this.result = result;
	}

}
