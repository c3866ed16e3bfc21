package dev.kinesisboot.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a Spring test's application context a local Kinesis: kinesis-local, installed
 * from npm on first use and started on a free loopback port, shared by every test class
 * of the JVM (see {@link LocalKinesisEmulator#shared()}). The named streams are created
 * before the context starts, and the context's Kinesis client connects to the emulator
 * through a {@link dev.kinesisboot.autoconfigure.KinesisConnectionDetails} bean.
 * <pre class="code">
 * &#64;SpringBootTest
 * &#64;EnableLocalKinesis(streams = "orders", shards = 2)
 * class OrdersTests { ... }
 * </pre> Needs Node.js and npm on the PATH. Streams outlive a test class, as the emulator
 * does: give each test class its own stream names, or read from LATEST.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface EnableLocalKinesis {

	/**
	 * The streams to create before the context starts.
	 * @return the stream names
	 */
	String[] streams() default {};

	/**
	 * The shard count of each stream created.
	 * @return the shard count
	 */
	int shards() default 1;

}
