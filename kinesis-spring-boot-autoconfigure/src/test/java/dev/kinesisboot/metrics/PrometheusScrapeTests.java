package dev.kinesisboot.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Checks what a Prometheus scrape shows for each metric against the reference catalogue,
 * written out here on its own so that the test does not just compare the enum with
 * itself.
 */
class PrometheusScrapeTests {

	private static final String DURATION = "0.001,0.005,0.01,0.025,0.05,0.1,0.25,0.5,1,2.5";

	/** name | type | labels | buckets: the reference metrics catalogue. */
	private static final List<String> CATALOGUE = List.of("producer_records_sent_total|counter|stream_name|",
			"producer_bytes_sent_total|counter|stream_name|", "producer_errors_total|counter|stream_name,error_type|",
			"producer_throttles_total|counter|stream_name|",
			"producer_batch_size|histogram|stream_name|1,5,10,25,50,100,250,500",
			"producer_queue_size|gauge|stream_name|",
			"producer_flush_duration_seconds|histogram|stream_name|" + DURATION,
			"consumer_records_received_total|counter|stream_name,shard_id|",
			"consumer_bytes_received_total|counter|stream_name,shard_id|",
			"consumer_errors_total|counter|stream_name,shard_id,error_type|",
			"consumer_checkpoint_success_total|counter|stream_name,shard_id|",
			"consumer_checkpoint_failure_total|counter|stream_name,shard_id|",
			"consumer_iterator_age_milliseconds|gauge|stream_name,shard_id|", "consumer_queue_size|gauge|stream_name|",
			"consumer_lag_records|gauge|stream_name,shard_id|",
			"consumer_processing_time_seconds|histogram|stream_name,shard_id|" + DURATION + ",5",
			"stream_shards_active|gauge|stream_name|", "stream_shards_closed|gauge|stream_name|",
			"stream_resharding_events_total|counter|stream_name|");

	private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)$");

	private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

	static Stream<Arguments> catalogue() {
		return CATALOGUE.stream().map((row) -> {
			String[] cells = row.split("\\|", -1);
			List<String> buckets = cells[3].isEmpty() ? List.of() : List.of(cells[3].split(","));
			return Arguments.of(cells[0], cells[1], List.of(cells[2].split(",")), buckets);
		});
	}

	@Test
	void catalogueAndEnumListTheSameNineteenMetrics() {
		Set<String> fromCatalogue = CATALOGUE.stream()
			.map((row) -> row.substring(0, row.indexOf('|')))
			.collect(Collectors.toSet());
		Set<String> fromEnum = Arrays.stream(MetricType.values())
			.map(MetricType::prometheusName)
			.collect(Collectors.toSet());
		assertThat(fromCatalogue).hasSize(19);
		assertThat(fromEnum).isEqualTo(fromCatalogue);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("catalogue")
	void scrapeShowsReferenceNameTypeLabelsAndBuckets(String name, String type, List<String> labelKeys,
			List<String> buckets) {
		PrometheusMetricsCollector collector = new PrometheusMetricsCollector("my_app");
		MetricType metric = Arrays.stream(MetricType.values())
			.filter((candidate) -> candidate.prometheusName().equals(name))
			.findFirst()
			.orElseThrow();
		Map<String, String> labels = new LinkedHashMap<>();
		labelKeys.forEach((key) -> labels.put(key, "value-of-" + key));
		switch (type) {
			case "counter" -> collector.increment(metric, 3, labels);
			case "gauge" -> collector.gauge(metric, 7, labels);
			default -> collector.histogram(metric, 0.02, labels);
		}

		String scrape = collector.scrape();
		String fullName = "my_app_" + name;
		List<Sample> samples = parse(scrape);

		assertThat(typeOf(scrape, fullName)).as(scrape).isEqualTo(type);
		switch (type) {
			case "counter" -> assertThat(sample(samples, fullName).value()).isEqualTo(3.0);
			case "gauge" -> assertThat(sample(samples, fullName).value()).isEqualTo(7.0);
			default -> {
				assertThat(sample(samples, fullName + "_count").value()).isEqualTo(1.0);
				assertThat(sample(samples, fullName + "_sum").value()).isCloseTo(0.02,
						org.assertj.core.data.Offset.offset(1e-9));
				List<Sample> bucketSamples = samples.stream()
					.filter((s) -> s.name().equals(fullName + "_bucket"))
					.toList();
				Set<Double> bounds = bucketSamples.stream()
					.map((s) -> s.labels().get("le"))
					.filter((le) -> !le.equals("+Inf"))
					.map(Double::valueOf)
					.collect(Collectors.toCollection(LinkedHashSet::new));
				assertThat(bounds).containsExactlyInAnyOrderElementsOf(buckets.stream().map(Double::valueOf).toList());
				assertThat(bucketSamples).anySatisfy((s) -> assertThat(s.labels()).containsEntry("le", "+Inf"));
			}
		}
		for (Sample sample : samples) {
			if (sample.name().startsWith(fullName) && !sample.name().equals(fullName + "_max")) {
				Set<String> keys = new LinkedHashSet<>(sample.labels().keySet());
				keys.remove("le");
				assertThat(keys).as(sample.toString()).containsExactlyInAnyOrderElementsOf(labelKeys);
				labelKeys.forEach((key) -> assertThat(sample.labels()).containsEntry(key, "value-of-" + key));
			}
		}
	}

	@Test
	void bucketLabelOfBatchSizeLooksLikeTheReference() {
		PrometheusMetricsCollector collector = new PrometheusMetricsCollector("my_app");
		collector.histogram(MetricType.PRODUCER_BATCH_SIZE, 500, MetricLabels.stream("orders"));
		assertThat(collector.scrape())
			.contains("my_app_producer_batch_size_bucket{stream_name=\"orders\",le=\"500.0\"} 1");
	}

	@Test
	void labelValuesAreEscapedNotDropped() {
		PrometheusMetricsCollector collector = new PrometheusMetricsCollector("my_app");
		collector.increment(MetricType.PRODUCER_RECORDS_SENT, 1, MetricLabels.stream("we\"ird\\name\nhere"));
		String scrape = collector.scrape();
		assertThat(scrape).contains("my_app_producer_records_sent_total{stream_name=\"we\\\"ird\\\\name\\nhere\"} 1.0");
	}

	@Test
	void defaultNamespaceIsKinesis() {
		PrometheusMetricsCollector collector = new PrometheusMetricsCollector();
		collector.gauge(MetricType.STREAM_SHARDS_ACTIVE, 4, MetricLabels.stream("orders"));
		assertThat(collector.scrape()).contains("kinesis_stream_shards_active{stream_name=\"orders\"} 4.0");
	}

	@Test
	void labelKeyWithDotIsRejectedWithAClearMessage() {
		PrometheusMetricsCollector collector = new PrometheusMetricsCollector("my_app");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> collector.increment(MetricType.PRODUCER_RECORDS_SENT, 1, Map.of("stream.name", "orders")))
			.withMessageContaining("'stream.name'")
			.withMessageContaining("stream_name");
	}

	@Test
	void wrongLabelSetIsRejectedWithTheExpectedKeys() {
		PrometheusMetricsCollector collector = new PrometheusMetricsCollector("my_app");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> collector.increment(MetricType.PRODUCER_ERRORS, 1, MetricLabels.stream("orders")))
			.withMessageContaining("producer_errors_total")
			.withMessageContaining("[stream_name, error_type]");
	}

	@Test
	void metricOfAnotherKindIsRejected() {
		PrometheusMetricsCollector collector = new PrometheusMetricsCollector("my_app");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> collector.gauge(MetricType.PRODUCER_RECORDS_SENT, 1, MetricLabels.stream("orders")))
			.withMessageContaining("is a counter, not a gauge");
	}

	@Test
	void invalidNamespaceIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> new PrometheusMetricsCollector("my-app"))
			.withMessageContaining("'my-app'");
	}

	private static String typeOf(String scrape, String name) {
		Matcher matcher = Pattern.compile("(?m)^# TYPE " + Pattern.quote(name) + "(?:_total)? (\\w+)$").matcher(scrape);
		return matcher.find() ? matcher.group(1) : "<no # TYPE line for " + name + ">";
	}

	private static Sample sample(List<Sample> samples, String name) {
		return samples.stream()
			.filter((s) -> s.name().equals(name))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no sample " + name + " in " + samples));
	}

	static List<Sample> parse(String scrape) {
		List<Sample> samples = new ArrayList<>();
		for (String line : scrape.split("\n")) {
			if (line.isBlank() || line.startsWith("#")) {
				continue;
			}
			Matcher matcher = SAMPLE.matcher(line);
			assertThat(matcher.matches()).as("scrape line: " + line).isTrue();
			Map<String, String> labels = new LinkedHashMap<>();
			if (matcher.group(2) != null) {
				Matcher label = LABEL.matcher(matcher.group(2));
				while (label.find()) {
					labels.put(label.group(1), label.group(2));
				}
			}
			samples.add(new Sample(matcher.group(1), labels, Double.parseDouble(matcher.group(3))));
		}
		return samples;
	}

	record Sample(String name, Map<String, String> labels, double value) {
	}

}
