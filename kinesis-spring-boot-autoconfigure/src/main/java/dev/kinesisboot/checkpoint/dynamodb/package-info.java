/**
 * A {@link dev.kinesisboot.checkpoint.Checkpointer} that keeps shard leases and
 * checkpoints in a DynamoDB table through the AWS SDK's asynchronous client.
 */
package dev.kinesisboot.checkpoint.dynamodb;
