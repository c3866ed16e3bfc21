/**
 * Spring Boot auto-configuration of clients, producers, checkpointers, metrics and
 * {@code @KinesisListener} containers from the {@code kinesis.*} properties.
 */
package dev.kinesisboot.autoconfigure;
