package dev.kinesisboot.benchmarks;

/**
 * What one benchmark run measured.
 *
 * @param records the records put
 * @param wallNanos the time from the first put until every record was acknowledged
 * @param cpuNanos the CPU time of this process over the same span
 * @param failures the records that were not accepted
 * @param firstError the first failure's message, or {@code null} when none failed
 */
record RunResult(int records, long wallNanos, long cpuNanos, long failures, String firstError) {

	/**
	 * Throughput of the run.
	 * @return records per second of wall time
	 */
	double recordsPerSecond() {
		return this.records / (this.wallNanos / 1e9);
	}

	/**
	 * Client CPU cost of the run.
	 * @return microseconds of process CPU time per record
	 */
	double cpuMicrosPerRecord() {
		return this.cpuNanos / 1e3 / this.records;
	}

}
