/**
 * What a consumer hands to the application ({@link dev.kinesisboot.record.KinesisRecord})
 * and how Kinesis records become such records
 * ({@link dev.kinesisboot.record.RecordExpander}); shared by the consumer and the record
 * formats, so that neither depends on the other.
 */
package dev.kinesisboot.record;
