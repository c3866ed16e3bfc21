/**
 * Sending records: {@link dev.kinesisboot.producer.KinesisProducer} (one stream,
 * batching, rate limits, retries; a facade over package-private parts with one job each)
 * and {@link dev.kinesisboot.producer.KinesisTemplate}, the
 * {@link dev.kinesisboot.producer.KinesisOperations} of Spring applications (any stream).
 */
package dev.kinesisboot.producer;
