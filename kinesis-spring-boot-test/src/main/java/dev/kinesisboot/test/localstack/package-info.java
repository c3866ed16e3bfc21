/**
 * {@code @ServiceConnection} support for Testcontainers' LocalStack container.
 */
package dev.kinesisboot.test.localstack;
