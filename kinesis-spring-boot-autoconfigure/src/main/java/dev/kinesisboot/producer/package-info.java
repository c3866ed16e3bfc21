/**
 * Sending records: {@link dev.kinesisboot.producer.KinesisProducer} (one stream,
 * batching, rate limits, retries) and {@link dev.kinesisboot.producer.KinesisTemplate}
 * (any stream, for Spring applications).
 */
package dev.kinesisboot.producer;
