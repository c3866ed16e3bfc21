package dev.kinesisboot.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.consumer.ShardStatus;
import dev.kinesisboot.listener.KinesisListenerContainer;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the {@code @KinesisListener} containers, contributed as {@code kinesis}. DOWN
 * only when a container that should run does not (or one of its consumers stopped);
 * throttling and retrying shards keep it UP and show in the details (with the last error
 * of a shard whose reads, listener calls or dead-letter sends keep failing), since a
 * restart would not cure them. The check reads in-memory state only, so it makes no call
 * to Kinesis. Thread-safe.
 */
public class KinesisHealthIndicator extends AbstractHealthIndicator {

	private final KinesisListenerEndpointRegistry registry;

	/**
	 * Creates an indicator over the containers of the registry.
	 * @param registry the listener container registry
	 */
	public KinesisHealthIndicator(KinesisListenerEndpointRegistry registry) {
		super("Kinesis health check failed");
		this.registry = registry;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		boolean up = true;
		Map<String, Object> containers = new LinkedHashMap<>();
		for (KinesisListenerContainer container : this.registry.getListenerContainers()) {
			boolean running = container.isRunning();
			Map<String, Object> streams = new LinkedHashMap<>();
			for (KinesisConsumer consumer : container.getConsumers()) {
				up &= !running || consumer.isRunning();
				streams.put(consumer.streamName(), streamDetails(consumer));
			}
			up &= running || !container.isAutoStartup();
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("running", running);
			details.put("autoStartup", container.isAutoStartup());
			details.put("streams", streams);
			containers.put(container.getId(), details);
		}
		builder.status(up ? "UP" : "DOWN").withDetail("containers", containers);
	}

	private Map<String, Object> streamDetails(KinesisConsumer consumer) {
		int owned = 0;
		int retrying = 0;
		long worstIteratorAge = -1;
		Map<String, Object> failing = new LinkedHashMap<>();
		for (ShardStatus shard : consumer.status()) {
			owned++;
			if (shard.state() == ShardStatus.State.RETRYING) {
				retrying++;
			}
			if (shard.consecutiveErrors() > 0) {
				// a read, a listener call or a dead-letter send that keeps failing
				failing.put(shard.shardId(), Map.of("consecutiveErrors", shard.consecutiveErrors(), "lastError",
						String.valueOf(shard.lastError())));
			}
			worstIteratorAge = Math.max(worstIteratorAge, shard.millisBehindLatest());
		}
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("running", consumer.isRunning());
		details.put("ownedShards", owned);
		details.put("knownShards", consumer.knownShards().size());
		details.put("retryingShards", retrying);
		details.put("maxMillisBehindLatest", worstIteratorAge);
		if (!failing.isEmpty()) {
			details.put("failingShards", failing);
		}
		// reading goes on, but the operator should learn that the store lost its state
		consumer.leaseStoreResetAt().ifPresent((at) -> details.put("leaseStoreResetAt", at.toString()));
		return details;
	}

}
