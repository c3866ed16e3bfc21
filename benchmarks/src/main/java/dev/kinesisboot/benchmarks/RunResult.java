package dev.kinesisboot.benchmarks;

/**
 * What one benchmark run measured.
 *
 * @param records the records put
 * @param wallNanos the time from the first put until every record was acknowledged
 * @param cpuNanos the CPU time of this process over the same span
 * @param failures the records that were not accepted
 * @param firstError the first failure's message, or {@code null} when none failed
 * @param cpuSplit how the CPU time splits over groups of threads (JIT, GC, Netty, ...),
 * for the progress output, with the JIT compiler threads' share
 * @param putCalls the PutRecords and PutRecord calls through the benchmark's client (0
 * for a scenario that sends through a client of its own, the KPL)
 */
record RunResult(int records, long wallNanos, long cpuNanos, long failures, String firstError, ThreadCpu.Split cpuSplit,
		long putCalls) {

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

	/**
	 * The JIT compilers' part of the run's CPU time: compiling the code the run (or the
	 * run before it, whose compilations were still queued) made hot, not work done per
	 * record; it fades as the JVM warms up, slower while scenarios take turns.
	 * @return microseconds per record, or {@code NaN} when unknown
	 */
	double jitMicrosPerRecord() {
		return (this.cpuSplit.jitNanos() < 0) ? Double.NaN : this.cpuSplit.jitNanos() / 1e3 / this.records;
	}

	/**
	 * Client CPU cost of the run without the JIT compilers' part.
	 * @return microseconds of process CPU time per record, JIT compiler threads left out,
	 * or {@code NaN} when their part is unknown
	 */
	double cpuMicrosPerRecordWithoutJit() {
		return cpuMicrosPerRecord() - jitMicrosPerRecord();
	}

	/**
	 * The calls the run made, for the progress output.
	 * @return for example {@code 200 put calls (500.0 records per call)}
	 */
	String callsText() {
		if (this.putCalls == 0) {
			return "no put calls through the benchmark's client";
		}
		return String.format(java.util.Locale.ROOT, "%,d put calls (%.1f records per call)", this.putCalls,
				(double) this.records / this.putCalls);
	}

}
