package dev.kinesisboot.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.kinesisboot.aggregation.RecordDeaggregator;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.consumer.ShardStatus;
import dev.kinesisboot.listener.KinesisListenerContainer;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;
import dev.kinesisboot.record.KinesisRecord;
import dev.kinesisboot.support.Streams;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ApplicationContext;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * What an application's test needs around Kinesis: wait until a listener container reads
 * every shard of its streams at the tip, and read what a stream holds.
 */
public final class KinesisTestUtils {

	/** How long {@link #waitForShards(ApplicationContext, String)} waits. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

	private static final long POLL_MILLIS = 100;

	private KinesisTestUtils() {
	}

	/**
	 * Waits up to {@link #DEFAULT_TIMEOUT} until the listener container owns every open
	 * shard of its streams and has read each to the tip.
	 * @param context the application context
	 * @param containerId the listener's id ({@code @KinesisListener(id = ...)})
	 * @throws AssertionError when it does not happen in time, saying what is missing
	 */
	public static void waitForShards(ApplicationContext context, String containerId) {
		waitForShards(context.getBean(KinesisListenerEndpointRegistry.class), context.getBean(KinesisAsyncClient.class),
				containerId, DEFAULT_TIMEOUT);
	}

	/**
	 * Waits until the listener container owns every open shard of its streams and has
	 * read each to the tip (Kinesis reported it 0 ms behind): from then on, what is sent
	 * reaches the listener. With several instances of the application, each owns a share
	 * only: wait on a single instance.
	 * @param registry the listener registry
	 * @param client a Kinesis client of the same endpoint
	 * @param containerId the listener's id
	 * @param timeout how long to wait
	 * @throws AssertionError when it does not happen in time, saying what is missing
	 */
	public static void waitForShards(KinesisListenerEndpointRegistry registry, KinesisAsyncClient client,
			String containerId, Duration timeout) {
		KinesisListenerContainer container = registry.getListenerContainer(containerId);
		if (container == null) {
			throw new IllegalArgumentException("No @KinesisListener container has the id '" + containerId
					+ "'; the ids are "
					+ registry.getListenerContainers().stream().map(KinesisListenerContainer::getId).sorted().toList());
		}
		long deadline = System.nanoTime() + timeout.toNanos();
		String missing;
		while ((missing = missing(container, client)) != null) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Listener container '" + containerId + "' did not read every shard at the "
						+ "tip within " + timeout + ": " + missing);
			}
			pause();
		}
	}

	/** What the container still lacks, or {@code null} when it reads every shard. */
	private static String missing(KinesisListenerContainer container, KinesisAsyncClient client) {
		if (!container.isRunning()) {
			return "it is not running";
		}
		List<KinesisConsumer> consumers = container.getConsumers();
		if (consumers.isEmpty()) {
			return "it has no consumer yet";
		}
		for (KinesisConsumer consumer : consumers) {
			Set<String> open = openShards(client, consumer.streamName());
			Map<String, ShardStatus> owned = consumer.status()
				.stream()
				.collect(Collectors.toMap(ShardStatus::shardId, (status) -> status, (a, b) -> a, TreeMap::new));
			Set<String> notOwned = new TreeSet<>(open);
			notOwned.removeAll(owned.keySet());
			if (!notOwned.isEmpty()) {
				return "stream '" + consumer.streamName() + "': shards " + notOwned + " not owned (owned: "
						+ owned.keySet() + ")";
			}
			List<String> behind = open.stream()
				.filter((shardId) -> owned.get(shardId).millisBehindLatest() != 0)
				.map((shardId) -> shardId + " (" + owned.get(shardId).millisBehindLatest() + " ms)")
				.toList();
			if (!behind.isEmpty()) {
				return "stream '" + consumer.streamName() + "': not at the tip of " + behind;
			}
		}
		return null;
	}

	private static Set<String> openShards(KinesisAsyncClient client, String stream) {
		return Streams.listShards(client, (request) -> request.streamName(stream))
			.join()
			.stream()
			.filter((shard) -> shard.sequenceNumberRange().endingSequenceNumber() == null)
			.map(Shard::shardId)
			.collect(Collectors.toCollection(TreeSet::new));
	}

	/**
	 * Every record a stream holds now, shard by shard (parents before children) in
	 * sequence order, with KPL aggregates taken apart into their user records.
	 * @param client the client
	 * @param stream the stream name
	 * @return the records
	 */
	public static List<KinesisRecord<byte[]>> readAll(KinesisAsyncClient client, String stream) {
		RecordDeaggregator deaggregator = new RecordDeaggregator();
		List<KinesisRecord<byte[]>> all = new ArrayList<>();
		List<Shard> shards = new ArrayList<>(
				Streams.listShards(client, (request) -> request.streamName(stream)).join());
		// shard ids grow with each reshard, so parents sort before their children
		shards.sort(Comparator.comparing(Shard::shardId));
		for (Shard shard : shards) {
			String iterator = client
				.getShardIterator((request) -> request.streamName(stream)
					.shardId(shard.shardId())
					.shardIteratorType(ShardIteratorType.TRIM_HORIZON))
				.join()
				.shardIterator();
			while (iterator != null) {
				String current = iterator;
				GetRecordsResponse response = client.getRecords((request) -> request.shardIterator(current)).join();
				for (Record record : response.records()) {
					all.addAll(deaggregator.expand(stream, shard.shardId(), record));
				}
				boolean atTip = response.records().isEmpty() && Long.valueOf(0).equals(response.millisBehindLatest());
				iterator = atTip ? null : response.nextShardIterator();
			}
		}
		return all;
	}

	/**
	 * Every record a stream holds now, read as JSON into a type (what
	 * {@code KinesisTemplate} writes for objects).
	 * @param <T> the type
	 * @param client the client
	 * @param stream the stream name
	 * @param type the type
	 * @return the values, in the order of {@link #readAll(KinesisAsyncClient, String)}
	 */
	public static <T> List<T> readAll(KinesisAsyncClient client, String stream, Class<T> type) {
		JsonMapper mapper = JsonMapper.builder().findAndAddModules().build();
		return readAll(client, stream).stream().map((record) -> mapper.readValue(record.data(), type)).toList();
	}

	private static void pause() {
		try {
			TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for a listener container", ex);
		}
	}

}
