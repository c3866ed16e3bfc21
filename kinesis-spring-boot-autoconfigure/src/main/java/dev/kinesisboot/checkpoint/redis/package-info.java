/**
 * A {@link dev.kinesisboot.checkpoint.Checkpointer} that keeps shard leases and
 * checkpoints in Redis through Spring Data Redis.
 */
package dev.kinesisboot.checkpoint.redis;
