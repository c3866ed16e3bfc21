/**
 * Testing applications that use kinesis-spring-boot: a local Kinesis for Spring tests
 * ({@link dev.kinesisboot.test.EnableLocalKinesis}) and for local runs
 * ({@link dev.kinesisboot.test.LocalKinesisConfiguration}), and helpers that wait for
 * listeners and read streams ({@link dev.kinesisboot.test.KinesisTestUtils}).
 */
package dev.kinesisboot.test;
