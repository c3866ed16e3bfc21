/**
 * A runnable benchmark of the producer's throughput and client CPU time against local
 * Kinesis emulators, compared with a plain AWS SDK PutRecords loop, and JMH benchmarks of
 * what the metrics cost on the producer and consumer hot paths.
 */
package dev.kinesisboot.benchmarks;
