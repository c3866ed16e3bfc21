package dev.kinesisboot.consumer;

/**
 * How a consumer reads its shards.
 */
public enum ConsumerMode {

	/**
	 * GetRecords calls, paced per shard. Shared throughput: all polling consumers of a
	 * stream share 2 MB/s and 5 calls/s per shard. No extra cost.
	 */
	POLLING,

	/**
	 * Enhanced fan-out: a registered stream consumer and one SubscribeToShard
	 * subscription per owned shard, over which Kinesis pushes records. Each registered
	 * consumer gets its own 2 MB/s per shard and lower latency, and AWS bills it per
	 * consumer-shard hour and per GB delivered.
	 */
	FAN_OUT

}
