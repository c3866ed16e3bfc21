/**
 * Reading records: {@link dev.kinesisboot.consumer.KinesisConsumer} (one stream, shard
 * discovery, a fetch loop per owned shard, resharding, leases and checkpoints).
 */
package dev.kinesisboot.consumer;
