package dev.kinesisboot.metrics;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * Sends metrics to a Micrometer {@link MeterRegistry}, so they appear wherever the
 * application's metrics go ({@code /actuator/prometheus} with Spring Boot).
 * <p>
 * Counters are registered as {@code <namespace>.producer.records.sent} and so on, so a
 * Prometheus registry prints exactly the reference names with the namespace prefix
 * ({@code kinesis_producer_records_sent_total}); histograms are registered with the
 * reference's buckets as service-level objectives. Every metric takes exactly the label
 * keys of {@link MetricType#labelKeys()}: Prometheus needs one label set per name.
 * Thread-safe; meters are cached per metric and labels (and per label map instance, which
 * the hot paths reuse), so the hot path does one map lookup.
 */
public class MicrometerMetricsCollector implements MetricsCollector {

	/** Most entries of each by-instance cache. */
	private static final int MAX_FAST_ENTRIES = 10_000;

	private static final Pattern VALID_NAMESPACE = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)?");

	private final MeterRegistry registry;

	private final String prefix;

	private final ConcurrentMap<MeterKey, Counter> counters = new ConcurrentHashMap<>();

	private final ConcurrentMap<MeterKey, AtomicLong> gauges = new ConcurrentHashMap<>();

	private final ConcurrentMap<MeterKey, DistributionSummary> summaries = new ConcurrentHashMap<>();

	private final ConcurrentMap<MeterKey, io.micrometer.core.instrument.Timer> timers = new ConcurrentHashMap<>();

	private final ConcurrentMap<SameLabels, Counter> fastCounters = new ConcurrentHashMap<>();

	private final ConcurrentMap<SameLabels, AtomicLong> fastGauges = new ConcurrentHashMap<>();

	private final ConcurrentMap<SameLabels, DistributionSummary> fastSummaries = new ConcurrentHashMap<>();

	private final ConcurrentMap<SameLabels, io.micrometer.core.instrument.Timer> fastTimers = new ConcurrentHashMap<>();

	private final Function<MeterKey, io.micrometer.core.instrument.Timer> registerTimer = this::registerTimer;

	private final Function<MeterKey, DistributionSummary> registerSummary = this::registerSummary;

	/**
	 * A collector without namespace prefix.
	 * @param registry the registry to register meters in
	 */
	public MicrometerMetricsCollector(MeterRegistry registry) {
		this(registry, "");
	}

	/**
	 * A collector whose meter names start with a namespace.
	 * @param registry the registry to register meters in
	 * @param namespace the prefix, such as {@code kinesis} or {@code my_app}; empty for
	 * none
	 */
	public MicrometerMetricsCollector(MeterRegistry registry, String namespace) {
		this.registry = Objects.requireNonNull(registry, "registry");
		String ns = (namespace != null) ? namespace : "";
		if (!VALID_NAMESPACE.matcher(ns).matches()) {
			throw new IllegalArgumentException("Invalid metrics namespace '" + ns
					+ "': use letters, digits and underscores only, not starting with a digit (for example 'my_app')");
		}
		this.prefix = ns.isEmpty() ? "" : ns + ".";
	}

	/**
	 * The registry meters go to.
	 * @return the registry
	 */
	public MeterRegistry getRegistry() {
		return this.registry;
	}

	@Override
	public void increment(MetricType metric, double value, Map<String, String> labels) {
		meter(metric, labels, MetricType.Kind.COUNTER, this.counters, this.fastCounters,
				(key) -> Counter.builder(name(metric))
					.description(metric.description())
					.tags(key.tags())
					.register(this.registry))
			.increment(value);
	}

	@Override
	public void gauge(MetricType metric, double value, Map<String, String> labels) {
		meter(metric, labels, MetricType.Kind.GAUGE, this.gauges, this.fastGauges, (key) -> {
			AtomicLong bits = new AtomicLong(Double.doubleToLongBits(0));
			Gauge.builder(name(metric), bits, (held) -> Double.longBitsToDouble(held.get()))
				.description(metric.description())
				.tags(key.tags())
				.register(this.registry);
			return bits;
		}).set(Double.doubleToLongBits(value));
	}

	@Override
	public void removeGauge(MetricType metric, Map<String, String> labels) {
		MeterKey key = key(metric, labels, MetricType.Kind.GAUGE);
		if (this.gauges.remove(key) == null) {
			return;
		}
		this.fastGauges.keySet().removeIf((same) -> same.matches(metric, labels));
		Gauge gauge = this.registry.find(name(metric)).tags(key.tags()).gauge();
		if (gauge != null) {
			this.registry.remove(gauge);
		}
	}

	@Override
	public void durations(MetricType metric, long[] nanos, int count, Map<String, String> labels) {
		if (!metric.isDuration()) {
			MetricsCollector.super.durations(metric, nanos, count, labels);
			return;
		}
		io.micrometer.core.instrument.Timer timer = meter(metric, labels, MetricType.Kind.HISTOGRAM, this.timers,
				this.fastTimers, this.registerTimer);
		for (int i = 0; i < count; i++) {
			timer.record(nanos[i], TimeUnit.NANOSECONDS);
		}
	}

	@Override
	public void histogram(MetricType metric, double value, Map<String, String> labels) {
		if (metric.isDuration()) {
			meter(metric, labels, MetricType.Kind.HISTOGRAM, this.timers, this.fastTimers, this.registerTimer)
				.record(Math.round(value * 1e9), TimeUnit.NANOSECONDS);
		}
		else {
			meter(metric, labels, MetricType.Kind.HISTOGRAM, this.summaries, this.fastSummaries, this.registerSummary)
				.record(value);
		}
	}

	/**
	 * The meter of a metric and labels. Callers on hot paths (one shard's reader, one
	 * producer) pass the same label map instance every time, so a first lookup by that
	 * instance skips checking the labels and hashing them; other maps take the full path.
	 */
	private <M> M meter(MetricType metric, Map<String, String> labels, MetricType.Kind kind,
			ConcurrentMap<MeterKey, M> meters, ConcurrentMap<SameLabels, M> fast, Function<MeterKey, M> register) {
		SameLabels same = new SameLabels(metric, labels);
		M meter = fast.get(same);
		if (meter != null) {
			return meter;
		}
		meter = meters.computeIfAbsent(key(metric, labels, kind), register);
		if (labels != null && fast.size() < MAX_FAST_ENTRIES) {
			// label maps built per call would only fill this up: it is bounded
			fast.putIfAbsent(same, meter);
		}
		return meter;
	}

	private io.micrometer.core.instrument.Timer registerTimer(MeterKey key) {
		Duration[] slos = Arrays.stream(key.metric().buckets())
			.mapToObj((seconds) -> Duration.ofNanos(Math.round(seconds * 1e9)))
			.toArray(Duration[]::new);
		return io.micrometer.core.instrument.Timer.builder(name(key.metric()))
			.description(key.metric().description())
			.tags(key.tags())
			.serviceLevelObjectives(slos)
			.register(this.registry);
	}

	private DistributionSummary registerSummary(MeterKey key) {
		return DistributionSummary.builder(name(key.metric()))
			.description(key.metric().description())
			.tags(key.tags())
			.serviceLevelObjectives(key.metric().buckets())
			.register(this.registry);
	}

	private String name(MetricType metric) {
		return this.prefix + metric.meterName();
	}

	private static MeterKey key(MetricType metric, Map<String, String> labels, MetricType.Kind expected) {
		if (metric.kind() != expected) {
			throw new IllegalArgumentException("Metric " + metric.prometheusName() + " is a "
					+ metric.kind().name().toLowerCase() + ", not a " + expected.name().toLowerCase());
		}
		Map<String, String> given = (labels != null) ? labels : Map.of();
		if (given.size() != metric.labelKeys().size() || !given.keySet().containsAll(metric.labelKeys())) {
			given.keySet().forEach(MetricLabels::checkKey);
			throw new IllegalArgumentException("Metric " + metric.prometheusName() + " takes the labels "
					+ metric.labelKeys() + ", got " + new HashSet<>(given.keySet())
					+ "; Prometheus needs the same label keys on every observation of a metric");
		}
		return new MeterKey(metric, given);
	}

	/** A metric and a label map, equal only to the same map instance. */
	private static final class SameLabels {

		private final MetricType metric;

		private final Map<String, String> labels;

		SameLabels(MetricType metric, Map<String, String> labels) {
			this.metric = metric;
			this.labels = labels;
		}

		boolean matches(MetricType metric, Map<String, String> labels) {
			return this.metric == metric && Objects.equals(this.labels, labels);
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof SameLabels that && this.metric == that.metric && this.labels == that.labels;
		}

		@Override
		public int hashCode() {
			return this.metric.ordinal() * 31 + System.identityHashCode(this.labels);
		}

	}

	private record MeterKey(MetricType metric, Map<String, String> labels) {

		Tags tags() {
			Tags tags = Tags.empty();
			for (String labelKey : this.metric.labelKeys()) {
				String value = this.labels.get(labelKey);
				tags = tags.and(labelKey, (value != null) ? value : "");
			}
			return tags;
		}

	}

}
