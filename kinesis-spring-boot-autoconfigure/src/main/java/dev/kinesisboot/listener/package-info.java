/**
 * {@link dev.kinesisboot.listener.KinesisListener @KinesisListener}: the annotation, the
 * bean post-processor that finds it, the endpoint registry, and the containers that run a
 * consumer per annotated method.
 */
package dev.kinesisboot.listener;
