package dev.kinesisboot.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The CPU time of each of this JVM's native threads (Java threads, and the JVM's own: JIT
 * compilers, garbage collectors, the VM thread), read from Linux's
 * {@code /proc/self/task/<tid>/stat}, so that a run's process CPU time can be split by
 * who spent it. Elsewhere, or when {@code /proc} cannot be read, the snapshot is empty
 * and the split says so.
 */
final class ThreadCpu {

	private static final Path TASKS = Path.of("/proc/self/task");

	/** Linux reports thread times in clock ticks of 10 ms (USER_HZ 100). */
	private static final long NANOS_PER_TICK = 10_000_000L;

	/** The groups, in the order they are printed, by the start of a thread's name. */
	private static final Map<String, String> GROUPS = new LinkedHashMap<>();

	static {
		GROUPS.put("C2 Compiler", "JIT");
		GROUPS.put("C1 Compiler", "JIT");
		GROUPS.put("GC Thread", "GC");
		GROUPS.put("G1 ", "GC");
		GROUPS.put("VM Thread", "VM");
		GROUPS.put("aws-java-sdk-Ne", "netty");
		GROUPS.put("sdk-async-respo", "sdk-async");
		GROUPS.put("kinesis-produce", "producer");
		// the launcher's main thread keeps the process's name
		GROUPS.put("java", "main");
		GROUPS.put("benchmark-put", "put-threads");
	}

	private final Map<String, Ticks> ticksByThread;

	/** Java threads started in this JVM so far. */
	private final long startedThreads = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();

	private ThreadCpu(Map<String, Ticks> ticksByThread) {
		this.ticksByThread = ticksByThread;
	}

	/**
	 * The CPU ticks of every live thread now.
	 * @return the snapshot
	 */
	static ThreadCpu now() {
		Map<String, Ticks> ticks = new HashMap<>();
		try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
			for (Path task : tasks) {
				String stat;
				try {
					stat = Files.readString(task.resolve("stat"));
				}
				catch (IOException ex) {
					continue; // the thread ended while we read
				}
				int open = stat.indexOf('(');
				int close = stat.lastIndexOf(')');
				String name = stat.substring(open + 1, close);
				String[] fields = stat.substring(close + 2).split(" ");
				// after the name: state is field 3 of stat(5), utime 14 and stime 15
				long system = Long.parseLong(fields[12]);
				ticks.put(task.getFileName() + " " + name, new Ticks(Long.parseLong(fields[11]) + system, system));
			}
		}
		catch (IOException | RuntimeException ex) {
			return new ThreadCpu(Map.of());
		}
		return new ThreadCpu(ticks);
	}

	/**
	 * How the CPU time since this snapshot splits over the groups of threads.
	 * @param processCpuNanos the process CPU time over the same span
	 * @param records the records of the run
	 * @return the split
	 */
	Split splitSince(long processCpuNanos, int records) {
		if (this.ticksByThread.isEmpty()) {
			return new Split("no per-thread split (/proc/self/task not readable)", -1);
		}
		Map<String, Long> nanosByGroup = new LinkedHashMap<>();
		GROUPS.values().forEach((group) -> nanosByGroup.put(group, 0L));
		nanosByGroup.put("other", 0L);
		long counted = 0;
		long systemNanos = 0;
		for (Map.Entry<String, Ticks> thread : now().ticksByThread.entrySet()) {
			Ticks before = this.ticksByThread.getOrDefault(thread.getKey(), Ticks.NONE);
			long nanos = (thread.getValue().total() - before.total()) * NANOS_PER_TICK;
			nanosByGroup.merge(groupOf(thread.getKey()), nanos, Long::sum);
			counted += nanos;
			systemNanos += (thread.getValue().system() - before.system()) * NANOS_PER_TICK;
		}
		// threads that ended during the run took their time with them
		nanosByGroup.put("ended", Math.max(0, processCpuNanos - counted));
		long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - this.startedThreads;
		StringJoiner split = new StringJoiner(", ", "", String.format(Locale.ROOT,
				" µs/record; in the kernel %.1f; %d Java threads started", systemNanos / 1e3 / records, started));
		nanosByGroup.forEach((group, nanos) -> {
			if (nanos > 0) {
				split.add(String.format(Locale.ROOT, "%s %.1f", group, nanos / 1e3 / records));
			}
		});
		return new Split(split.toString(), nanosByGroup.get("JIT"));
	}

	private static String groupOf(String thread) {
		String name = thread.substring(thread.indexOf(' ') + 1);
		for (Map.Entry<String, String> group : GROUPS.entrySet()) {
			if (name.startsWith(group.getKey())) {
				return group.getValue();
			}
		}
		return "other";
	}

	/**
	 * A thread's CPU ticks so far.
	 *
	 * @param total user and kernel mode
	 * @param system kernel mode, part of {@code total}
	 */
	private record Ticks(long total, long system) {

		static final Ticks NONE = new Ticks(0, 0);

	}

	/**
	 * A run's CPU time by group of threads.
	 *
	 * @param text for example {@code JIT 3.1, GC 0.8, ... µs/record}
	 * @param jitNanos the CPU time of the JIT compiler threads, or -1 when unknown
	 */
	record Split(String text, long jitNanos) {

	}

}
