package dev.kinesisboot.producer;

import java.util.concurrent.CompletableFuture;

/**
 * What applications call to send records to Kinesis; {@link KinesisTemplate} implements
 * it, and tests of an application may mock it.
 *
 * <pre>{@code
 * kinesisOperations.send("orders", order.id(), order)
 *     .thenAccept((result) -> log.info("stored in {}", result.shardId()));
 * }</pre>
 * <p>
 * Implementations are thread-safe.
 */
public interface KinesisOperations {

	/**
	 * Sends a record with a partition key from the stream's key strategy (random by
	 * default).
	 * @param stream the stream name or ARN
	 * @param payload {@code byte[]}, a {@code String}, or an object to serialize (JSON by
	 * default)
	 * @return a future completed with where Kinesis stored the record, or failed
	 */
	CompletableFuture<PutResult> send(String stream, Object payload);

	/**
	 * Sends a record. Records with the same key go to the same shard.
	 * @param stream the stream name or ARN
	 * @param partitionKey the partition key
	 * @param payload {@code byte[]}, a {@code String}, or an object to serialize (JSON by
	 * default)
	 * @return a future completed with where Kinesis stored the record, or failed
	 */
	CompletableFuture<PutResult> send(String stream, String partitionKey, Object payload);

	/**
	 * Sends everything queued so far, to every stream, without waiting for the buffer
	 * time.
	 * @return a future completed once every record queued so far is accepted or failed
	 */
	CompletableFuture<Void> flush();

}
