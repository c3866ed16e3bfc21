/**
 * Helpers shared by the producer and the consumer (error classification, back-off); not a
 * public API.
 */
package dev.kinesisboot.support;
