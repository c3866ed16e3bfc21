package dev.kinesisboot.checkpoint;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@link Checkpointer#manualCheckpoint()} could not write some buffered checkpoints. They
 * stay buffered, so a later flush writes them; nothing is lost.
 */
public class CheckpointFlushException extends RuntimeException {

	private final Map<String, Throwable> failures;

	/**
	 * Creates an exception.
	 * @param failures the cause per shard id
	 */
	public CheckpointFlushException(Map<String, Throwable> failures) {
		super("Could not write the checkpoints of " + failures.size() + " shard(s), kept for the next flush: "
				+ failures.entrySet()
					.stream()
					.map((entry) -> entry.getKey() + " (" + entry.getValue() + ")")
					.collect(Collectors.joining(", ")));
		this.failures = Map.copyOf(failures);
		failures.values().forEach(this::addSuppressed);
	}

	/**
	 * The cause per shard id.
	 * @return the failures
	 */
	public Map<String, Throwable> failures() {
		return this.failures;
	}

}
