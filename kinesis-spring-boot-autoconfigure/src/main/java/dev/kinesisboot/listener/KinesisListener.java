package dev.kinesisboot.listener;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method that receives the records of one or more Kinesis streams. Every
 * attribute is a String that may hold {@code ${...}} placeholders; empty attributes take
 * the {@code kinesis.consumer.*} defaults.
 *
 * <pre>{@code
 * &#64;KinesisListener(streams = "${orders.stream}")
 * void onOrder(Order order) { ... }                          // JSON bound with the application's mapper
 *
 *

&#64;KinesisListener(streams = "audit", batch = "true", checkpointMode = "MANUAL")
 * void onAudit(List<KinesisRecord<String>> records, Acknowledgement ack) { ...; ack.acknowledge(); }
 * }</pre>
 *
 * Parameters may be: the payload ({@code String}, {@code byte[]}, {@code ByteBuffer} or
 * any type bound from JSON), {@code KinesisRecord<T>}, in batch mode {@code List<T>} or
 * {@code List<KinesisRecord<T>>}, and {@link Acknowledgement}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface KinesisListener {

	/**
	 * The container id, for
	 * {@code KinesisListenerEndpointRegistry.getListenerContainer(id)}; defaults to the
	 * bean and method name.
	 * @return the id
	 */
	String id() default "";

	/**
	 * The streams to read (names or ARNs).
	 * @return the streams
	 */
	String[] streams();

	/**
	 * The bean name of the {@link KinesisListenerContainerFactory}; defaults to
	 * {@code kinesisListenerContainerFactory}.
	 * @return the factory bean name
	 */
	String containerFactory() default "";

	/**
	 * The consumer group: containers of one group share shards and checkpoints; defaults
	 * to {@code kinesis.consumer.group}, else {@code spring.application.name}.
	 * @return the group
	 */
	String group() default "";

	/**
	 * Where shards without a checkpoint start: {@code TRIM_HORIZON}, {@code LATEST} or
	 * {@code AT_TIMESTAMP}.
	 * @return the start position
	 */
	String startPosition() default "";

	/**
	 * With {@code startPosition = "AT_TIMESTAMP"}: the time shards without a checkpoint
	 * start at, as an ISO-8601 instant such as {@code 2026-01-01T00:00:00Z}; setting it
	 * alone implies {@code AT_TIMESTAMP}. Defaults to
	 * {@code kinesis.consumer.start-timestamp}.
	 * @return the start time
	 */
	String startTimestamp() default "";

	/**
	 * {@code true} to receive each GetRecords batch of a shard as a list.
	 * @return whether batch mode is on
	 */
	String batch() default "";

	/**
	 * {@code AUTO} (checkpoint after each handled batch) or {@code MANUAL} (only on
	 * {@link Acknowledgement#acknowledge()}).
	 * @return the checkpoint mode
	 */
	String checkpointMode() default "";

	/**
	 * Threads that run this listener, for each stream it reads (a listener of two streams
	 * with {@code concurrency = "4"} has eight); shards are handled in parallel, each in
	 * order. It has no effect when the container factory has a listener task executor
	 * (virtual threads, for example): calls then run on it, at most one per shard at
	 * once.
	 * @return the thread count
	 */
	String concurrency() default "";

	/**
	 * How records are laid out, one of {@code RecordFormat}'s names: {@code JSON} (the
	 * default: one document per record, KPL aggregated records unpacked), {@code KPL},
	 * {@code STRING}, {@code JSON_LINES}, {@code JSON_LIST} (the method receives each
	 * record's whole list, for example as {@code List<Order>}),
	 * {@code JSON_LIST_ELEMENTS} (the method receives the elements one by one),
	 * {@code NETSTRING} or {@code MSGPACK} (needs {@code org.msgpack:msgpack-core}).
	 * These are async-kinesis's processors' formats. A record that does not have the
	 * format's framing, or whose payload cannot be decoded, goes to the error handler as
	 * it is.
	 * @return the record format
	 */
	String format() default "";

	/**
	 * {@code false} to start the container only on request.
	 * @return whether the container starts with the application
	 */
	String autoStartup() default "";

}
