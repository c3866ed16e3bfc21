package dev.kinesisboot.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import dev.kinesisboot.metrics.KinesisMetrics;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.support.Streams;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Sends records to any stream: the Spring-friendly face of {@link KinesisProducer}. It
 * keeps one producer per stream, created on first use with the template's options, and
 * closes them all when closed (with Spring, when the application context closes).
 *
 * <pre>{@code
 * kinesisTemplate.send("orders", order.id(), order);   // CompletableFuture<PutResult>
 * }</pre>
 * <p>
 * Thread-safe. A stream's producer is built by the first thread that sends to it, outside
 * any lock: building reads the stream's shards (up to 60 s against a slow endpoint), and
 * only threads sending to that same stream wait for it, never the first send to another
 * stream. A producer still being built when the template closes is closed once built, and
 * its first send fails.
 */
public class KinesisTemplate implements AutoCloseable {

	private final KinesisAsyncClient client;

	private final ProducerOptions options;

	private final MetricsCollector metrics;

	private final PayloadSerializer serializer;

	/** One entry per stream, completed once its producer is built. */
	private final Map<String, CompletableFuture<KinesisProducer>> producers = new ConcurrentHashMap<>();

	private volatile boolean closed;

	/**
	 * A template with the default options, serializer and the global metrics collector.
	 * @param client the Kinesis client; the template does not close it
	 */
	public KinesisTemplate(KinesisAsyncClient client) {
		this(client, ProducerOptions.defaults(), null, new DefaultPayloadSerializer());
	}

	/**
	 * A template.
	 * @param client the Kinesis client; the template does not close it
	 * @param options the options of every producer it creates
	 * @param metrics where metrics go, or {@code null} for
	 * {@link KinesisMetrics#getMetricsCollector()}
	 * @param serializer how payloads become bytes
	 */
	public KinesisTemplate(KinesisAsyncClient client, ProducerOptions options, MetricsCollector metrics,
			PayloadSerializer serializer) {
		this.client = Objects.requireNonNull(client, "client");
		this.options = Objects.requireNonNull(options, "options");
		this.metrics = metrics;
		this.serializer = Objects.requireNonNull(serializer, "serializer");
	}

	/**
	 * Sends a record with a random partition key.
	 * @param stream the stream name or ARN
	 * @param payload {@code byte[]}, a {@code String}, or an object to serialize (JSON by
	 * default)
	 * @return a future completed with where Kinesis stored the record, or failed
	 */
	public CompletableFuture<PutResult> send(String stream, Object payload) {
		return producer(stream).put(payload);
	}

	/**
	 * Sends a record. Records with the same key go to the same shard.
	 * @param stream the stream name or ARN
	 * @param partitionKey the partition key
	 * @param payload {@code byte[]}, a {@code String}, or an object to serialize (JSON by
	 * default)
	 * @return a future completed with where Kinesis stored the record, or failed
	 */
	public CompletableFuture<PutResult> send(String stream, String partitionKey, Object payload) {
		return producer(stream).put(payload, partitionKey);
	}

	/**
	 * Sends many payloads under one partition key. With a {@link FormatPayloadSerializer}
	 * (and aggregation off) they are packed into as few records as fit (each at most the
	 * options' {@code aggregationMaxSize}, data plus key), in the serializer's format;
	 * otherwise each payload is a record of its own (which the producer's KPL aggregation
	 * packs when it is on).
	 * @param stream the stream name or ARN
	 * @param partitionKey the partition key of every record
	 * @param payloads the payloads, in order
	 * @return a future completed with where Kinesis stored each record (not each
	 * payload), or failed when one of them failed
	 * @throws IllegalArgumentException when a payload does not fit a record
	 */
	public CompletableFuture<List<PutResult>> sendAll(String stream, String partitionKey, List<?> payloads) {
		KinesisProducer producer = producer(stream);
		List<?> records = (this.serializer instanceof FormatPayloadSerializer formatted
				&& !this.options.aggregationEnabled())
						? formatted.pack(partitionKey, payloads, this.options.aggregationMaxSize()) : payloads;
		List<CompletableFuture<PutResult>> results = new ArrayList<>(records.size());
		for (Object record : records) {
			results.add(producer.put(record, partitionKey));
		}
		return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
			.thenApply((ignored) -> results.stream().map(CompletableFuture::join).toList());
	}

	/**
	 * The producer of a stream, created on first use.
	 * @param stream the stream name or ARN
	 * @return the producer
	 * @throws IllegalStateException when the template is closed or the stream cannot be
	 * used
	 */
	public KinesisProducer producer(String stream) {
		Objects.requireNonNull(stream, "stream");
		checkOpen();
		CompletableFuture<KinesisProducer> entry = this.producers.get(stream);
		if (entry == null) {
			CompletableFuture<KinesisProducer> created = new CompletableFuture<>();
			entry = this.producers.putIfAbsent(stream, created);
			if (entry == null) {
				return build(stream, created);
			}
		}
		try {
			return entry.join();
		}
		catch (CompletionException ex) {
			// another thread's build failed: the same error, and the next call tries
			// again
			throw (ex.getCause() instanceof RuntimeException cause) ? cause : ex;
		}
	}

	/**
	 * Builds a producer on the calling thread, not inside the map, so that a slow stream
	 * holds up only the threads that wait for that stream.
	 */
	private KinesisProducer build(String stream, CompletableFuture<KinesisProducer> created) {
		KinesisProducer producer;
		try {
			producer = createProducer(stream);
		}
		catch (RuntimeException | Error ex) {
			this.producers.remove(stream, created);
			created.completeExceptionally(ex);
			throw ex;
		}
		created.complete(producer);
		if (this.closed) {
			// close() may have gone past this entry before it was complete
			this.producers.remove(stream, created);
			producer.close();
			checkOpen();
		}
		return producer;
	}

	private void checkOpen() {
		if (this.closed) {
			throw new IllegalStateException(
					"KinesisTemplate is closed; no more records can be sent (create a new template to send again)");
		}
	}

	/**
	 * Sends what every producer has queued.
	 * @return a future completed once every record queued so far is accepted or failed
	 */
	public CompletableFuture<Void> flush() {
		List<CompletableFuture<Void>> flushes = new ArrayList<>();
		for (CompletableFuture<KinesisProducer> entry : this.producers.values()) {
			// a producer still being built has nothing queued yet
			KinesisProducer producer = entry.isDone() && !entry.isCompletedExceptionally() ? entry.join() : null;
			if (producer != null) {
				flushes.add(producer.flush());
			}
		}
		return CompletableFuture.allOf(flushes.toArray(CompletableFuture[]::new));
	}

	/**
	 * Closes every producer, each sending what it has queued first. A producer still
	 * being built is closed by the thread building it, once built; this method does not
	 * wait for it.
	 */
	@Override
	public void close() {
		this.closed = true;
		for (CompletableFuture<KinesisProducer> entry : this.producers.values()) {
			entry.thenAccept(KinesisProducer::close);
		}
		this.producers.clear();
	}

	private KinesisProducer createProducer(String stream) {
		KinesisProducer.Builder builder = KinesisProducer.builder(this.client)
			.options(this.options)
			.metricsCollector(this.metrics)
			.serializer(this.serializer);
		if (Streams.isArn(stream)) {
			builder.streamArn(stream);
		}
		else {
			builder.streamName(stream);
		}
		return builder.build();
	}

}
