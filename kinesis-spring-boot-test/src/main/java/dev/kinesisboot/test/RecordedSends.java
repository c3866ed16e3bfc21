package dev.kinesisboot.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the application sent through its {@code KinesisTemplate} (or
 * {@code KinesisOperations}), recorded by {@link RecordedSendsConfiguration} as the sends
 * are made, so a test can assert what was sent without reading the stream. Thread-safe.
 */
public class RecordedSends {

	private final List<Sent> sent = new CopyOnWriteArrayList<>();

	void add(Sent send) {
		this.sent.add(send);
	}

	/**
	 * Everything sent so far, in the order the sends were made.
	 * @return the sends
	 */
	public List<Sent> sent() {
		return List.copyOf(this.sent);
	}

	/**
	 * The payloads sent to one stream, in order.
	 * @param stream the stream name or ARN, as the application named it
	 * @return the payloads
	 */
	public List<Object> payloads(String stream) {
		return this.sent.stream().filter((send) -> send.stream().equals(stream)).map(Sent::payload).toList();
	}

	/**
	 * Forgets what was recorded, for example between tests sharing a context.
	 */
	public void clear() {
		this.sent.clear();
	}

	/**
	 * One send.
	 *
	 * @param stream the stream name or ARN
	 * @param partitionKey the partition key, or {@code null} when the application gave
	 * none
	 * @param payload the payload as the application gave it
	 */
	public record Sent(String stream, String partitionKey, Object payload) {
	}

}
