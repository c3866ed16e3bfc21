/**
 * A runnable benchmark of the producer's throughput and client CPU time against local
 * Kinesis emulators, compared with a plain AWS SDK PutRecords loop.
 */
package dev.kinesisboot.benchmarks;
