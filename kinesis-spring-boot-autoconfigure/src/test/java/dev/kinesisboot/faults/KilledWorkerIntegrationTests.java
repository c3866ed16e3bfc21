package dev.kinesisboot.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalRedis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three worker JVMs ({@link WorkerMain}) share a 4-shard stream through the Redis
 * checkpointer with a 3 s lease; one is killed with SIGKILL while records flow. Its
 * leases expire, the others take its shards and resume after its last checkpoint, so
 * every record is handled, some twice.
 * <p>
 * {@code -Dfaults.records=N} sets the record count (default 1000); see
 * {@link ConnectionFaultIntegrationTests} for a long run.
 */
@RequiresLocalServers({ LocalServer.KINESIS, LocalServer.REDIS })
class KilledWorkerIntegrationTests {

	private static final long LEASE_MILLIS = 3000;

	@Test
	void everyRecordIsHandledWhenAWorkerProcessIsKilled(LocalKinesis kinesis, LocalRedis redis, @TempDir Path directory)
			throws Exception {
		FaultTally tally = new FaultTally("worker process killed");
		String stream = kinesis.createStream("fault-workers", 4);
		String application = TestNames.unique("faults-workers");
		List<Process> workers = new ArrayList<>();
		List<Path> files = new ArrayList<>();
		String killed = null;
		try {
			for (int i = 0; i < 3; i++) {
				Path file = directory.resolve("worker-" + i + ".ids");
				Files.createFile(file);
				files.add(file);
				workers
					.add(new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
							"-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
							System.getProperty("java.class.path"), WorkerMain.class.getName(),
							kinesis.endpoint().toString(), redis.host(), Integer.toString(redis.port()), stream,
							application, "worker-" + i, Long.toString(LEASE_MILLIS), file.toString()))
						.redirectErrorStream(true)
						.redirectOutput(directory.resolve("worker-" + i + ".log").toFile())
						.start());
			}
			CompletableFuture<List<PutResult>> production = FaultRuns.produce(kinesis.client(), stream, "w", tally);
			await("a third of the records handled").atMost(FaultTally.timeout())
				.pollInterval(Duration.ofMillis(200))
				.until(() -> handled(files).size() >= FaultTally.RECORDS / 3);

			// the worker that handled most so far surely owns shards
			int victim = files.stream()
				.max(Comparator.comparingInt((file) -> lines(file).size()))
				.map(files::indexOf)
				.orElseThrow();
			killed = "worker-" + victim;
			workers.get(victim).destroyForcibly();
			assertThat(workers.get(victim).waitFor(10, TimeUnit.SECONDS)).as(killed + " died").isTrue();

			List<PutResult> results = production.get(FaultTally.timeout().toMillis(), TimeUnit.MILLISECONDS);
			assertThat(results).hasSize(FaultTally.RECORDS);
			await("every record handled").atMost(FaultTally.timeout())
				.pollInterval(Duration.ofMillis(500))
				.until(() -> handled(files).size() >= FaultTally.RECORDS);
			for (Process worker : workers) {
				worker.destroy();
			}
			for (Process worker : workers) {
				worker.waitFor(20, TimeUnit.SECONDS);
			}
		}
		finally {
			for (Process worker : workers) {
				worker.destroyForcibly();
			}
			for (Process worker : workers) {
				worker.waitFor(10, TimeUnit.SECONDS);
			}
			kinesis.deleteStream(stream);
		}
		StringBuilder perWorker = new StringBuilder();
		for (int i = 0; i < files.size(); i++) {
			List<String> lines = lines(files.get(i));
			int ids = 0;
			for (String line : lines) {
				if (line.startsWith(WorkerMain.AGE_PREFIX)) {
					tally.iteratorAge(Long.parseLong(line.substring(WorkerMain.AGE_PREFIX.length())));
				}
				else {
					String[] fields = line.split("\t");
					tally.handled(fields[0], fields[2]);
					ids++;
				}
			}
			perWorker.append(" worker-").append(i).append('=').append(ids);
		}
		System.out.println("[faults] worker process killed: " + killed + " killed; records handled by" + perWorker);
		tally.printAndAssertNoLoss();
	}

	private static Set<String> handled(List<Path> files) {
		Set<String> ids = new HashSet<>();
		for (Path file : files) {
			for (String line : lines(file)) {
				if (!line.startsWith(WorkerMain.AGE_PREFIX)) {
					ids.add(line.substring(0, line.indexOf('\t')));
				}
			}
		}
		return ids;
	}

	private static List<String> lines(Path file) {
		try {
			// a line cut short by the kill has no newline yet; it is written again after
			// the take-over
			String text = Files.readString(file);
			int end = text.lastIndexOf('\n');
			return (end < 0) ? List.of() : List.of(text.substring(0, end).split("\n"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
