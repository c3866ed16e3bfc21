/**
 * Metrics of producers, consumers and checkpointers: the metric catalogue
 * ({@link MetricType}), the {@link MetricsCollector} SPI and its no-op, in-memory,
 * Micrometer and Prometheus implementations.
 */
package dev.kinesisboot.metrics;
