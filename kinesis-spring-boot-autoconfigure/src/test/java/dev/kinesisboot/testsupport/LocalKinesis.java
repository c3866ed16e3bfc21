package dev.kinesisboot.testsupport;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.awaitility.Awaitility;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * The Kinesis API the integration tests use, with helpers to create and delete streams.
 * Waits are our own short polls: the SDK waiters poll every 10 s or more.
 */
public final class LocalKinesis {

	/** Region the tests use. */
	public static final Region REGION = Region.US_EAST_1;

	/** Credentials the local servers accept. */
	public static final StaticCredentialsProvider CREDENTIALS = StaticCredentialsProvider
		.create(AwsBasicCredentials.create("local", "local"));

	private final URI endpoint;

	private final KinesisAsyncClient client;

	LocalKinesis(URI endpoint) {
		this.endpoint = endpoint;
		this.client = newClient();
	}

	/**
	 * The endpoint.
	 * @return for example {@code http://127.0.0.1:4567}
	 */
	public URI endpoint() {
		return this.endpoint;
	}

	/**
	 * A client shared by the tests; do not close it.
	 * @return the shared client
	 */
	public KinesisAsyncClient client() {
		return this.client;
	}

	/**
	 * A new client for this endpoint, for tests that need their own; close it when done.
	 * @return a new client
	 */
	public KinesisAsyncClient newClient() {
		return newClient((builder) -> {
		});
	}

	/**
	 * A new client for this endpoint, adjusted by the caller (interceptors, retries);
	 * close it when done.
	 * @param customizer adjusts the builder
	 * @return a new client
	 */
	public KinesisAsyncClient newClient(Consumer<KinesisAsyncClientBuilder> customizer) {
		KinesisAsyncClientBuilder builder = KinesisAsyncClient.builder()
			.endpointOverride(this.endpoint)
			.region(REGION)
			.credentialsProvider(CREDENTIALS)
			// kinesis-local's HTTP/2 over plain HTTP drops streams under load; HTTP/1.1
			// is solid
			.httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1).maxConcurrency(100));
		customizer.accept(builder);
		return builder.build();
	}

	/**
	 * Creates a stream with a unique name and waits until it is ACTIVE.
	 * @param prefix what the stream is for
	 * @param shards the shard count
	 * @return the stream name
	 */
	public String createStream(String prefix, int shards) {
		String name = TestNames.unique(prefix);
		this.client.createStream((request) -> request.streamName(name).shardCount(shards)).join();
		awaitStatus(name, StreamStatus.ACTIVE);
		return name;
	}

	/**
	 * Waits until a stream has a status.
	 * @param name the stream
	 * @param status the status to wait for
	 */
	public void awaitStatus(String name, StreamStatus status) {
		Awaitility.await("stream " + name + " " + status)
			.atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> this.client.describeStreamSummary((request) -> request.streamName(name))
				.join()
				.streamDescriptionSummary()
				.streamStatus() == status);
	}

	/**
	 * Reads every record of every shard of a stream, from the oldest, until each shard is
	 * read up to its tip.
	 * @param name the stream
	 * @return the records, shard by shard, in order within each shard
	 */
	public List<Record> readAll(String name) {
		List<Record> records = new ArrayList<>();
		List<Shard> shards = this.client.listShards((request) -> request.streamName(name)).join().shards();
		for (Shard shard : shards) {
			String iterator = this.client
				.getShardIterator((request) -> request.streamName(name)
					.shardId(shard.shardId())
					.shardIteratorType(ShardIteratorType.TRIM_HORIZON))
				.join()
				.shardIterator();
			while (iterator != null) {
				String current = iterator;
				GetRecordsResponse response = this.client
					.getRecords((request) -> request.shardIterator(current).limit(10_000))
					.join();
				records.addAll(response.records());
				boolean atTip = response.records().isEmpty()
						&& (response.millisBehindLatest() == null || response.millisBehindLatest() == 0);
				iterator = atTip ? null : response.nextShardIterator();
			}
		}
		return records;
	}

	/**
	 * Deletes a stream, ignoring one that is already gone.
	 * @param name the stream
	 */
	public void deleteStream(String name) {
		this.client.deleteStream((request) -> request.streamName(name).enforceConsumerDeletion(true))
			.exceptionally((ex) -> {
				if (ex.getCause() instanceof ResourceNotFoundException) {
					return null;
				}
				throw new IllegalStateException("Could not delete stream " + name, ex);
			})
			.join();
	}

}
