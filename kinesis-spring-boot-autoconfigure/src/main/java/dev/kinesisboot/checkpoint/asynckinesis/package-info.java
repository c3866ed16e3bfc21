/**
 * Taking over a consumer group of the Python library async-kinesis: its checkpoints, read
 * from its Redis or DynamoDB layout, written into a
 * {@link dev.kinesisboot.checkpoint.Checkpointer} as "handled through this record"
 * ({@link dev.kinesisboot.checkpoint.asynckinesis.AsyncKinesisCheckpointImporter}).
 */
package dev.kinesisboot.checkpoint.asynckinesis;
