package dev.kinesisboot.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Checks that a stream exists, creating it on request (for development and tests).
 */
public final class Streams {

	private static final Logger logger = LoggerFactory.getLogger(Streams.class);

	private static final Duration ACTIVE_TIMEOUT = Duration.ofSeconds(60);

	private static final Backoff ACTIVE_POLL = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));

	private Streams() {
	}

	/**
	 * Whether a stream reference is an ARN rather than a name.
	 * @param stream a stream name or ARN
	 * @return {@code true} for {@code arn:...}
	 */
	public static boolean isArn(String stream) {
		return stream.startsWith("arn:");
	}

	/**
	 * The stream name of a reference, for metric labels and checkpoint keys.
	 * @param stream a stream name or ARN
	 * ({@code arn:aws:kinesis:region:account:stream/name})
	 * @return the name
	 */
	public static String nameOf(String stream) {
		return isArn(stream) ? stream.substring(stream.lastIndexOf('/') + 1) : stream;
	}

	/**
	 * Makes sure a stream exists and is usable.
	 * @param client the client
	 * @param streamName the stream
	 * @param create whether to create it when missing
	 * @param shardCount the shard count of a created stream
	 * @param fix what to do when it is missing and not created, for the error (a library
	 * option; the auto-configuration's failure analyzer names the property)
	 * @throws StreamNotFoundException when it is missing and not to be created
	 */
	public static void ensureExists(KinesisAsyncClient client, String streamName, boolean create, int shardCount,
			String fix) {
		try {
			client.describeStreamSummary((request) -> request.streamName(streamName)).join();
			return;
		}
		catch (RuntimeException ex) {
			if (!(AwsErrors.unwrap(ex) instanceof ResourceNotFoundException)) {
				throw new IllegalStateException("Could not describe stream '" + streamName + "': "
						+ AwsErrors.unwrap(ex).getMessage() + "; check the endpoint, region and credentials", ex);
			}
			if (!create) {
				throw new StreamNotFoundException(streamName, client, fix, AwsErrors.unwrap(ex));
			}
		}
		logger.info("Creating stream '{}' with {} shard(s)", streamName, shardCount);
		try {
			client.createStream((request) -> request.streamName(streamName).shardCount(shardCount)).join();
		}
		catch (RuntimeException ex) {
			if (!(AwsErrors.unwrap(ex) instanceof ResourceInUseException)) {
				throw new IllegalStateException("Could not create stream '" + streamName + "'", AwsErrors.unwrap(ex));
			}
		}
		awaitActive(client, streamName);
	}

	/**
	 * Every shard of a stream, open and closed, following ListShards pages (streams of
	 * more than 1,000 shards answer in several pages).
	 * @param client the client
	 * @param stream names the stream on the first request (by name or ARN)
	 * @return the shards
	 */
	public static CompletableFuture<List<Shard>> listShards(KinesisAsyncClient client,
			Consumer<ListShardsRequest.Builder> stream) {
		ListShardsRequest.Builder first = ListShardsRequest.builder();
		stream.accept(first);
		return listShards(client, first.build(), new ArrayList<>());
	}

	private static CompletableFuture<List<Shard>> listShards(KinesisAsyncClient client, ListShardsRequest request,
			List<Shard> shards) {
		return client.listShards(request).thenCompose((ListShardsResponse response) -> {
			shards.addAll(response.shards());
			if (response.nextToken() == null) {
				return CompletableFuture.completedFuture(shards);
			}
			// a page token replaces the stream name: the request must not carry both
			return listShards(client, ListShardsRequest.builder().nextToken(response.nextToken()).build(), shards);
		});
	}

	private static void awaitActive(KinesisAsyncClient client, String streamName) {
		try {
			SystemScheduler
				.during("kinesis-stream-" + streamName + "-wait",
						(scheduler) -> awaitActive(client, scheduler, streamName))
				.join();
		}
		catch (CompletionException ex) {
			throw (ex.getCause() instanceof RuntimeException runtime) ? runtime : ex;
		}
	}

	/**
	 * Waits until a stream is ACTIVE, asking every 50 ms at first (the SDK's waiter asks
	 * every 10 s), for at most a minute.
	 * @param client the client
	 * @param scheduler the timer between asks
	 * @param streamName the stream
	 * @return completes when ACTIVE; fails when it is not within the minute
	 */
	public static CompletableFuture<Void> awaitActive(KinesisAsyncClient client, Scheduler scheduler,
			String streamName) {
		return Futures
			.poll(scheduler,
					() -> client.describeStreamSummary((request) -> request.streamName(streamName))
						.thenApply((response) -> response.streamDescriptionSummary().streamStatus()),
					(status) -> status == StreamStatus.ACTIVE, ACTIVE_POLL, ACTIVE_TIMEOUT.toNanos(),
					(status) -> new IllegalStateException("Stream '" + streamName + "' was not ACTIVE within "
							+ ACTIVE_TIMEOUT + " (status " + status + ")"))
			.thenApply((status) -> null);
	}

}
