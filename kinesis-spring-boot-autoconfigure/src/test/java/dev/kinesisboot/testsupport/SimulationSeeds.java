package dev.kinesisboot.testsupport;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the seeds of a simulation test as the system properties ask:
 * {@code -Dsimulation.seed=S} replays one seed and prints its trace;
 * {@code -Dsimulation.seeds=N} runs N seeds (2,000 by default, the CI share) from
 * {@code -Dsimulation.firstSeed} (1), after the seeds that once found a defect;
 * {@code -Dsimulation.logs=true} keeps the library's logging on (thousands of runs log
 * every fault; the trace says what matters). A broken seed fails the test with its
 * violations, its trace and the one command that replays it.
 */
public final class SimulationSeeds {

	private static final long DEFAULT_SEEDS = 2_000;

	private SimulationSeeds() {
	}

	/**
	 * Runs the seeds.
	 * @param <V> the verdict type
	 * @param test the test class, for the replay command
	 * @param found seeds that found a defect, run first
	 * @param run runs one seed
	 * @param passed told of each seed that passed (for the figures)
	 * @return how many seeds of the range ran
	 */
	public static <V extends Verdict> long run(Class<?> test, long[] found, LongFunction<V> run, Consumer<V> passed) {
		Logger library = (Logger) LoggerFactory.getLogger("dev.kinesisboot");
		Level level = library.getLevel();
		if (!Boolean.getBoolean("simulation.logs")) {
			library.setLevel(Level.OFF);
		}
		try {
			String single = System.getProperty("simulation.seed");
			if (single != null) {
				long seed = Long.parseLong(single);
				V verdict = apply(test, seed, run);
				System.out.println(verdict.trace());
				System.out.println(verdict.summary());
				check(test, seed, verdict);
				return 1;
			}
			for (long seed : found) {
				check(test, seed, apply(test, seed, run));
			}
			long seeds = Long.getLong("simulation.seeds", DEFAULT_SEEDS);
			long base = Long.getLong("simulation.firstSeed", 1);
			for (long seed = base; seed < base + seeds; seed++) {
				V verdict = apply(test, seed, run);
				check(test, seed, verdict);
				passed.accept(verdict);
			}
			return seeds;
		}
		finally {
			library.setLevel(level);
		}
	}

	/**
	 * Runs one seed; a run that throws (the code under test threw where the harness did
	 * not expect it) fails with the command that replays the seed, like a broken
	 * invariant.
	 */
	private static <V extends Verdict> V apply(Class<?> test, long seed, LongFunction<V> run) {
		try {
			return run.apply(seed);
		}
		catch (RuntimeException | AssertionError ex) {
			throw new AssertionError("Seed " + seed + " threw " + ex + ". Replay it with:\n  " + replay(test, seed),
					ex);
		}
	}

	private static String replay(Class<?> test, long seed) {
		return "./mvnw -pl kinesis-spring-boot-autoconfigure test -Dtest=" + test.getSimpleName()
				+ " -Dsimulation.seed=" + seed;
	}

	private static void check(Class<?> test, long seed, Verdict verdict) {
		List<String> violations = verdict.violations();
		if (violations.isEmpty()) {
			return;
		}
		StringBuilder report = new StringBuilder("Seed " + seed + " broke an invariant. Replay it with:\n  "
				+ replay(test, seed) + "\n" + verdict.summary() + "\n");
		violations.stream().limit(5).forEach((violation) -> report.append("  - ").append(violation).append('\n'));
		if (violations.size() > 5) {
			report.append("  (and ").append(violations.size() - 5).append(" more)\n");
		}
		fail(report.append("Last events:\n").append(verdict.trace()).toString());
	}

	/**
	 * What one seed's run found.
	 */
	public interface Verdict {

		/**
		 * The invariants it broke.
		 * @return one line each, empty when none
		 */
		List<String> violations();

		/**
		 * What the run was.
		 * @return one line
		 */
		String summary();

		/**
		 * Its last events.
		 * @return lines
		 */
		String trace();

	}

}
