/**
 * Where consumers keep their progress and who reads which shard: the
 * {@link dev.kinesisboot.checkpoint.Checkpointer} SPI (shard leases and checkpoints) and
 * its in-memory implementation; Redis and DynamoDB implementations live in sub-packages.
 */
package dev.kinesisboot.checkpoint;
