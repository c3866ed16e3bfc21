package dev.kinesisboot.faults;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.kinesisboot.metrics.InMemoryMetricsCollector;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.metrics.MetricsCollector;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one fault scenario sent and handled, by record id, and the highest iterator age
 * its consumers reported. As a {@link MetricsCollector} it keeps every metric in an
 * {@link InMemoryMetricsCollector} and remembers the maximum of
 * {@code consumer_iterator_age_milliseconds}, of which the in-memory collector keeps only
 * the last value.
 * <p>
 * Thread-safe.
 */
final class FaultTally implements MetricsCollector {

	/** Records per scenario: {@code -Dfaults.records=N}. */
	static final int RECORDS = Integer.getInteger("faults.records", 1000);

	private final String scenario;

	private final InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();

	private final Set<String> sent = ConcurrentHashMap.newKeySet();

	/**
	 * The ids handled, each with the sequence numbers it was read under: more than one
	 * means it was stored twice.
	 */
	private final Map<String, Set<String>> handled = new ConcurrentHashMap<>();

	private final AtomicLong deliveries = new AtomicLong();

	private final AtomicLong maxIteratorAge = new AtomicLong(-1);

	FaultTally(String scenario) {
		this.scenario = scenario;
	}

	/**
	 * How long to wait for every record, generous for a slow machine and growing with the
	 * record count.
	 * @return the time-out
	 */
	static Duration timeout() {
		return Duration.ofSeconds(90 + RECORDS / 50);
	}

	/**
	 * The id of the i-th record of a scenario.
	 * @param prefix the scenario's prefix
	 * @param index the index
	 * @return the id
	 */
	static String id(String prefix, int index) {
		return prefix + "-" + index;
	}

	void sent(String id) {
		this.sent.add(id);
	}

	/**
	 * Counts one delivery of a record.
	 * @param id the record's id (its data)
	 * @param sequenceNumber the sequence number it was read under
	 */
	void handled(String id, String sequenceNumber) {
		this.handled.computeIfAbsent(id, (key) -> ConcurrentHashMap.newKeySet()).add(sequenceNumber);
		this.deliveries.incrementAndGet();
	}

	void iteratorAge(long millis) {
		this.maxIteratorAge.accumulateAndGet(millis, Math::max);
	}

	int distinctHandled() {
		return this.handled.size();
	}

	boolean allHandled() {
		return this.handled.keySet().containsAll(this.sent);
	}

	Set<String> lost() {
		Set<String> lost = new TreeSet<>(this.sent);
		lost.removeAll(this.handled.keySet());
		return lost;
	}

	long duplicates() {
		return this.deliveries.get() - this.handled.size();
	}

	/**
	 * The duplicates the producer caused: extra copies of an id in the stream, each under
	 * its own sequence number (a retried call whose first answer was lost).
	 * @return the extra stored copies
	 */
	long storedTwice() {
		return this.handled.values().stream().mapToLong((sequences) -> sequences.size() - 1).sum();
	}

	/**
	 * The duplicates the consumer caused: a record read again under the same sequence
	 * number (re-read after a checkpoint, a lease move or a lost store).
	 * @return the extra deliveries of stored records
	 */
	long deliveredAgain() {
		return duplicates() - storedTwice();
	}

	InMemoryMetricsCollector metrics() {
		return this.metrics;
	}

	/**
	 * The sum of a counter over its labels.
	 * @param name the counter, such as {@code producer_records_sent_total}
	 * @return the sum
	 */
	double counter(String name) {
		return this.metrics.counters()
			.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().startsWith(name + "{"))
			.mapToDouble(Map.Entry::getValue)
			.sum();
	}

	/**
	 * The one-line summary.
	 * @return for example
	 * {@code [faults] producer-cut: records sent=1000, received=1002, lost=0, duplicates=2, max iterator age=850 ms, stored twice=2, delivered again=0}
	 */
	String summary() {
		long age = this.maxIteratorAge.get();
		return String.format(
				"[faults] %s: records sent=%d, received=%d, lost=%d, duplicates=%d, max iterator age=%s, "
						+ "stored twice=%d, delivered again=%d",
				this.scenario, this.sent.size(), this.deliveries.get(), lost().size(), duplicates(),
				(age < 0) ? "n/a" : age + " ms", storedTwice(), deliveredAgain());
	}

	/**
	 * Prints the summary and asserts that no record was lost.
	 */
	void printAndAssertNoLoss() {
		System.out.println(summary());
		assertThat(this.sent).as("records sent").hasSize(RECORDS);
		assertThat(lost()).as("records lost").isEmpty();
	}

	@Override
	public void increment(MetricType metric, double value, Map<String, String> labels) {
		this.metrics.increment(metric, value, labels);
	}

	@Override
	public void gauge(MetricType metric, double value, Map<String, String> labels) {
		if (metric == MetricType.CONSUMER_ITERATOR_AGE) {
			iteratorAge((long) value);
		}
		this.metrics.gauge(metric, value, labels);
	}

	@Override
	public void histogram(MetricType metric, double value, Map<String, String> labels) {
		this.metrics.histogram(metric, value, labels);
	}

}
