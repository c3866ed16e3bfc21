package dev.kinesisboot.producer;

/**
 * Where Kinesis stored a record.
 *
 * @param shardId the shard, such as {@code shardId-000000000003}
 * @param sequenceNumber the record's sequence number in that shard
 */
public record PutResult(String shardId, String sequenceNumber) {
}
