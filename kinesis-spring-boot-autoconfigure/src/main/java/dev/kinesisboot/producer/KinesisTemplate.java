package dev.kinesisboot.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
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
 * }</pre> Thread-safe.
 */
public class KinesisTemplate implements AutoCloseable {

	private final KinesisAsyncClient client;

	private final ProducerOptions options;

	private final MetricsCollector metrics;

	private final PayloadSerializer serializer;

	private final Map<String, KinesisProducer> producers = new ConcurrentHashMap<>();

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
	 * The producer of a stream, created on first use.
	 * @param stream the stream name or ARN
	 * @return the producer
	 * @throws IllegalStateException when the template is closed or the stream cannot be
	 * used
	 */
	public KinesisProducer producer(String stream) {
		Objects.requireNonNull(stream, "stream");
		if (this.closed) {
			throw new IllegalStateException("KinesisTemplate is closed; no more records can be sent");
		}
		return this.producers.computeIfAbsent(stream, this::createProducer);
	}

	/**
	 * Sends what every producer has queued.
	 * @return a future completed once every record queued so far is accepted or failed
	 */
	public CompletableFuture<Void> flush() {
		List<CompletableFuture<Void>> flushes = new ArrayList<>();
		this.producers.values().forEach((producer) -> flushes.add(producer.flush()));
		return CompletableFuture.allOf(flushes.toArray(CompletableFuture[]::new));
	}

	/**
	 * Closes every producer, each sending what it has queued first.
	 */
	@Override
	public void close() {
		this.closed = true;
		this.producers.values().forEach(KinesisProducer::close);
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
