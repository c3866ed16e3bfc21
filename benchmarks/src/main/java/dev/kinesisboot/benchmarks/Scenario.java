package dev.kinesisboot.benchmarks;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What one benchmark run sends records with.
 */
enum Scenario {

	/** {@code KinesisProducer} with the no-op metrics collector. */
	PRODUCER_NOOP("producer-noop", "KinesisProducer, NoOp metrics"),

	/**
	 * {@code KinesisProducer} whose futures complete on the thread that settles a call
	 * (the SDK's completion thread), with no hand-off to the producer's callback thread:
	 * what that hand-off costs.
	 */
	PRODUCER_DIRECT_CALLBACKS("producer-direct-callbacks", "KinesisProducer, futures completed on the SDK's thread"),

	/** {@code KinesisProducer} with a Micrometer collector over a Prometheus registry. */
	PRODUCER_MICROMETER("producer-micrometer", "KinesisProducer, Micrometer metrics (Prometheus registry)"),

	/**
	 * {@code KinesisProducer} held to the AWS per-shard limits (1,000 records/s, 1
	 * MiB/s).
	 */
	PRODUCER_RATE_LIMITED("producer-rate-limited", "KinesisProducer, AWS per-shard rate limits"),

	/**
	 * {@code KinesisProducer} held to the AWS per-shard limits, packing records (KPL
	 * format).
	 */
	PRODUCER_AGGREGATED("producer-aggregated", "KinesisProducer, AWS per-shard rate limits, KPL aggregation"),

	/**
	 * {@code KinesisProducer} packing records (KPL format) with no rate limit: the
	 * like-for-like comparison with the KPL, which the emulators never throttle.
	 */
	PRODUCER_AGGREGATED_UNLIMITED("producer-aggregated-unlimited", "KinesisProducer, KPL aggregation, no rate limit"),

	/**
	 * {@code KinesisProducer} keeping the order of each key, with a random key per
	 * record: the cost of {@code orderedPerShard} with many keys.
	 */
	PRODUCER_ORDERED("producer-ordered", "KinesisProducer, orderedPerShard, a random key per record"),

	/**
	 * {@code KinesisProducer} keeping the order of each key, over 10 keys: one record per
	 * key and round trip.
	 */
	PRODUCER_ORDERED_10_KEYS("producer-ordered-10-keys", "KinesisProducer, orderedPerShard, 10 keys"),

	/** A plain AWS SDK v2 loop of PutRecords calls, 500 records each. */
	SDK_PUT_RECORDS("sdk-put-records", "Plain AWS SDK v2 PutRecords loop, 500 records per call"),

	/**
	 * The plain loop fed the way a buffering producer is: a second thread builds each
	 * record (payload and key) into a bounded queue as large as the producer's, and the
	 * loop takes 500 at a time from it. Not a way to send: it tells what handing records
	 * from the caller to a sending thread costs, apart from the producer's own work.
	 */
	SDK_PUT_RECORDS_QUEUED("sdk-put-records-queued",
			"Plain AWS SDK v2 PutRecords loop fed through a queue by another thread"),

	/**
	 * Spring Cloud AWS's {@code KinesisMessageHandler} (Spring Integration) in async
	 * mode: one PutRecord call per message.
	 */
	SCA_MESSAGE_HANDLER("sca-message-handler",
			"Spring Cloud AWS KinesisMessageHandler, async, one PutRecord call per record"),

	/**
	 * The Amazon Kinesis Producer Library: its native daemon, KPL aggregation on; needs
	 * an HTTPS endpoint ({@code --kpl-endpoint}).
	 */
	KPL("kpl", "Amazon KPL (native daemon), KPL aggregation");

	private final String id;

	private final String title;

	Scenario(String id, String title) {
		this.id = id;
		this.title = title;
	}

	/**
	 * The short name used on the command line and in stream names.
	 * @return the id
	 */
	String id() {
		return this.id;
	}

	/**
	 * The name shown in the results table.
	 * @return the title
	 */
	String title() {
		return this.title;
	}

	/**
	 * The scenario with an id.
	 * @param id the id, such as {@code producer-noop}
	 * @return the scenario
	 * @throws IllegalArgumentException naming the valid ids
	 */
	static Scenario fromId(String id) {
		for (Scenario scenario : values()) {
			if (scenario.id.equals(id)) {
				return scenario;
			}
		}
		throw new IllegalArgumentException("Unknown scenario '" + id + "'; use one of " + ids());
	}

	/**
	 * The ids of all scenarios, comma-separated.
	 * @return the ids
	 */
	static String ids() {
		return Arrays.stream(values()).map(Scenario::id).collect(Collectors.joining(","));
	}

}
