package dev.kinesisboot.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Keeps every metric in memory, for tests and debugging. Thread-safe: concurrent
 * increments add up exactly.
 * <p>
 * Metrics are keyed {@code name{key=value,key2=value2}}: the Prometheus name, then the
 * labels sorted by key, without quotes or spaces ({@code name} alone when there are no
 * labels), for example {@code producer_records_sent_total{stream_name=orders}}.
 */
public class InMemoryMetricsCollector implements MetricsCollector {

	private final ConcurrentMap<String, DoubleAdder> counters = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, Double> gauges = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, List<Double>> histograms = new ConcurrentHashMap<>();

	@Override
	public void increment(MetricType metric, double value, Map<String, String> labels) {
		this.counters.computeIfAbsent(key(metric, labels), (k) -> new DoubleAdder()).add(value);
	}

	@Override
	public void gauge(MetricType metric, double value, Map<String, String> labels) {
		this.gauges.put(key(metric, labels), value);
	}

	@Override
	public void removeGauge(MetricType metric, Map<String, String> labels) {
		this.gauges.remove(key(metric, labels));
	}

	@Override
	public void histogram(MetricType metric, double value, Map<String, String> labels) {
		this.histograms.computeIfAbsent(key(metric, labels), (k) -> Collections.synchronizedList(new ArrayList<>()))
			.add(value);
	}

	/**
	 * A snapshot of the counters.
	 * @return key to total, sorted by key
	 */
	public SortedMap<String, Double> counters() {
		SortedMap<String, Double> snapshot = new TreeMap<>();
		this.counters.forEach((key, adder) -> snapshot.put(key, adder.sum()));
		return snapshot;
	}

	/**
	 * A snapshot of the gauges.
	 * @return key to the last value set, sorted by key
	 */
	public SortedMap<String, Double> gauges() {
		return new TreeMap<>(this.gauges);
	}

	/**
	 * A snapshot of the histograms.
	 * @return key to every observation in the order recorded, sorted by key
	 */
	public SortedMap<String, List<Double>> histograms() {
		SortedMap<String, List<Double>> snapshot = new TreeMap<>();
		this.histograms.forEach((key, values) -> {
			synchronized (values) {
				snapshot.put(key, List.copyOf(values));
			}
		});
		return snapshot;
	}

	/**
	 * Counters and gauges by key, and for each histogram its observation count and sum
	 * under {@code name_count{...}} and {@code name_sum{...}}, as Prometheus would show
	 * them.
	 * @return every metric as one flat map, sorted by key
	 */
	public SortedMap<String, Double> getMetrics() {
		SortedMap<String, Double> all = new TreeMap<>(counters());
		all.putAll(this.gauges);
		histograms().forEach((key, values) -> {
			int brace = key.indexOf('{');
			String name = (brace < 0) ? key : key.substring(0, brace);
			String labels = (brace < 0) ? "" : key.substring(brace);
			all.put(name + "_count" + labels, (double) values.size());
			all.put(name + "_sum" + labels, values.stream().mapToDouble(Double::doubleValue).sum());
		});
		return all;
	}

	/**
	 * Forgets every metric.
	 */
	public void clear() {
		this.counters.clear();
		this.gauges.clear();
		this.histograms.clear();
	}

	/**
	 * The key a metric is stored under.
	 * @param metric the metric
	 * @param labels its labels, may be {@code null} or empty
	 * @return {@code name} or {@code name{k=v,k2=v2}} with keys sorted
	 */
	public static String key(MetricType metric, Map<String, String> labels) {
		if (labels == null || labels.isEmpty()) {
			return metric.prometheusName();
		}
		StringBuilder key = new StringBuilder(metric.prometheusName()).append('{');
		new TreeMap<>(labels).forEach((name, value) -> {
			MetricLabels.checkKey(name);
			if (key.charAt(key.length() - 1) != '{') {
				key.append(',');
			}
			key.append(name).append('=').append(value);
		});
		return key.append('}').toString();
	}

}
