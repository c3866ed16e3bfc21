/**
 * JUnit 5 support for integration tests: endpoints of the local Kinesis, DynamoDB and
 * Redis servers (or of LocalStack through Testcontainers), unique names, and stream
 * helpers.
 */
package dev.kinesisboot.testsupport;
