package dev.kinesisboot.checkpoint.asynckinesis;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where async-kinesis keeps the checkpoints of one consumer group:
 * {@link RedisAsyncKinesisCheckpoints} or {@link DynamoDbAsyncKinesisCheckpoints}.
 */
public interface AsyncKinesisCheckpointSource {

	/**
	 * Reads every shard's checkpoint.
	 * @return the checkpoints, one per shard
	 */
	CompletableFuture<List<AsyncKinesisCheckpoint>> read();

	/**
	 * Where the checkpoints are, for log lines and errors.
	 * @return for example {@code Redis keys pyredis-orders-app-*}
	 */
	String describe();

}
