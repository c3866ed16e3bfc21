package dev.kinesisboot.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.kinesisboot.metrics.KinesisMetrics;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Streams;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Sends records to any stream: the Spring-friendly face of {@link KinesisProducer} and
 * the {@link KinesisOperations} applications call. It keeps one producer per stream,
 * created on first use with the template's options, and closes them all when closed (with
 * Spring, when the application context closes).
 *
 * <pre>{@code
 * kinesisTemplate.send("orders", order.id(), order);   // CompletableFuture<PutResult>
 * }</pre>
 * <p>
 * Thread-safe. Creating a stream's producer does no I/O; the first send to a stream
 * starts it (reading the stream's shards, up to 60 s against a slow endpoint) on the
 * sending thread, outside any lock of the template: only threads sending to that same
 * stream wait for it, never the first send to another stream. A producer created while
 * the template closes is closed, and its send fails.
 * <p>
 * With an {@link #setObservationRegistry ObservationRegistry}, each {@code send} is a
 * {@link KinesisTemplateObservation Micrometer observation} that lasts until the returned
 * future completes. Set the registry and convention before sending.
 */
public class KinesisTemplate implements KinesisOperations, AutoCloseable {

	private final KinesisAsyncClient client;

	private final ProducerOptions options;

	private final MetricsCollector metrics;

	private final PayloadSerializer serializer;

	private final Map<String, KinesisProducer> producers = new ConcurrentHashMap<>();

	private volatile boolean closed;

	private volatile ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

	private volatile KinesisTemplateObservationConvention observationConvention;

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
	 * Observes each {@code send} in a registry (the default,
	 * {@link ObservationRegistry#NOOP}, observes nothing and creates no observation).
	 * {@link #sendAll} and the producers' own {@code put} are not observed.
	 * @param observationRegistry the registry
	 */
	public void setObservationRegistry(ObservationRegistry observationRegistry) {
		this.observationRegistry = Objects.requireNonNull(observationRegistry, "observationRegistry");
	}

	/**
	 * Replaces the observation's name and key values.
	 * @param observationConvention the convention, or {@code null} for
	 * {@link DefaultKinesisTemplateObservationConvention}
	 */
	public void setObservationConvention(KinesisTemplateObservationConvention observationConvention) {
		this.observationConvention = observationConvention;
	}

	@Override
	public CompletableFuture<PutResult> send(String stream, Object payload) {
		ObservationRegistry registry = this.observationRegistry;
		if (registry.isNoop()) {
			return producer(stream).put(payload);
		}
		return observed(registry, stream, null, payload, () -> producer(stream).put(payload));
	}

	@Override
	public CompletableFuture<PutResult> send(String stream, String partitionKey, Object payload) {
		ObservationRegistry registry = this.observationRegistry;
		if (registry.isNoop()) {
			return producer(stream).put(payload, partitionKey);
		}
		return observed(registry, stream, partitionKey, payload, () -> producer(stream).put(payload, partitionKey));
	}

	/**
	 * Runs a send inside an observation that stops when the send completes. The caller
	 * gets a future completed as the producer's was (the same result or the same
	 * exception), after the observation stopped.
	 */
	private CompletableFuture<PutResult> observed(ObservationRegistry registry, String stream, String partitionKey,
			Object payload, Supplier<CompletableFuture<PutResult>> send) {
		Objects.requireNonNull(stream, "stream");
		KinesisTemplateObservationContext context = new KinesisTemplateObservationContext(Streams.nameOf(stream),
				partitionKey, payload);
		Observation observation = KinesisTemplateObservation.TEMPLATE_OBSERVATION
			.observation(this.observationConvention, DefaultKinesisTemplateObservationConvention.INSTANCE,
					() -> context, registry)
			.start();
		CompletableFuture<PutResult> sent;
		try (Observation.Scope scope = observation.openScope()) {
			sent = send.get();
		}
		catch (RuntimeException | Error ex) {
			observation.error(ex);
			observation.stop();
			throw ex;
		}
		CompletableFuture<PutResult> observed = new CompletableFuture<>();
		sent.whenComplete((result, error) -> {
			try {
				if (error != null) {
					observation.error(AwsErrors.unwrap(error));
				}
				else {
					context.setResult(result);
				}
				observation.stop();
			}
			finally {
				// a failing observation handler must not leave the caller waiting
				if (error != null) {
					observed.completeExceptionally(error);
				}
				else {
					observed.complete(result);
				}
			}
		});
		return observed;
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
	 * The producer of a stream, created on first use and started by its first {@code put}
	 * (or its {@link KinesisProducer#start()}).
	 * @param stream the stream name or ARN
	 * @return the producer
	 * @throws IllegalStateException when the template is closed
	 */
	public KinesisProducer producer(String stream) {
		Objects.requireNonNull(stream, "stream");
		checkOpen();
		// building does no I/O, so it may run inside the map
		KinesisProducer producer = this.producers.computeIfAbsent(stream, this::createProducer);
		if (this.closed) {
			// close() may have gone past this entry before it was added
			this.producers.remove(stream, producer);
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

	@Override
	public CompletableFuture<Void> flush() {
		return CompletableFuture
			.allOf(this.producers.values().stream().map(KinesisProducer::flush).toArray(CompletableFuture[]::new));
	}

	/**
	 * Closes every producer, each sending what it has queued first. A producer still
	 * starting is closed at once (nothing is queued in it), and the send that started it
	 * fails.
	 */
	@Override
	public void close() {
		this.closed = true;
		List<KinesisProducer> all = new ArrayList<>(this.producers.values());
		this.producers.clear();
		all.forEach(KinesisProducer::close);
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
