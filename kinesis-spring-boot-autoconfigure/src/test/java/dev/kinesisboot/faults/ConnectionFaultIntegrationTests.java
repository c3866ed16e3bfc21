package dev.kinesisboot.faults;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.consumer.ConsumerMode;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.producer.PutResult;
import dev.kinesisboot.testsupport.LocalKinesis;
import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;
import dev.kinesisboot.testsupport.TestNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every connection to Kinesis cut at once, and new ones refused for 5 s, while records
 * flow: first under the producer, then under the consumer (polling and fan-out). No
 * record is lost and no checkpoint passes a record that was not handled.
 * <p>
 * Each scenario of this package ({@code ConnectionFaultIntegrationTests},
 * {@code CheckpointStoreRestartIntegrationTests}, {@code KilledWorkerIntegrationTests})
 * puts {@code faults.records} records (default 1000, the whole suite then takes about a
 * minute) and prints a line {@code [faults] <scenario>: records sent=..., received=...,
 * lost=..., duplicates=..., max iterator age=...}. A long run on demand, with the local
 * servers started ({@code bash scripts/start-local-servers.sh}); the local Kinesis takes
 * about 300 records/s, so 100,000 records take 6 to 7 minutes per scenario, some 40
 * minutes in all: <pre>
 * ./mvnw -B verify -pl kinesis-spring-boot-autoconfigure -Dtest=NoSuchTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test='dev/kinesisboot/faults/*IntegrationTests' -Dfaults.records=100000
 * </pre>
 */
@RequiresLocalServers(LocalServer.KINESIS)
class ConnectionFaultIntegrationTests {

	@Test
	void producerDeliversEveryRecordThroughAConnectionCut(LocalKinesis kinesis) throws Exception {
		FaultTally tally = new FaultTally("producer connection cut");
		String stream = kinesis.createStream("fault-put", 2);
		KinesisConsumer consumer = null;
		try (TcpFaultProxy proxy = new TcpFaultProxy(kinesis.endpoint().getPort());
				KinesisAsyncClient viaProxy = kinesis
					.newClient((builder) -> builder.endpointOverride(proxy.endpoint()))) {
			consumer = KinesisConsumer.builder(kinesis.client())
				.streamName(stream)
				.options(FaultRuns.consumerOptions(ConsumerMode.POLLING))
				.checkpointer(new MemoryCheckpointer(settings(stream)))
				.metricsCollector(tally)
				.build();
			consumer.start((record) -> tally.handled(record.dataAsString(), record.sequenceNumber()));
			CompletableFuture<List<PutResult>> production = FaultRuns.produce(viaProxy, stream, "put", tally);

			await("a third of the records put").atMost(FaultTally.timeout())
				.until(() -> tally.counter("producer_records_sent_total") >= FaultTally.RECORDS / 3.0);
			proxy.cut(FaultRuns.OUTAGE);
			await("the cut over").atMost(Duration.ofSeconds(30)).until(() -> !proxy.isCut());

			List<PutResult> results = production.get(FaultTally.timeout().toMillis(), TimeUnit.MILLISECONDS);
			assertThat(results).hasSize(FaultTally.RECORDS);
			await("every record handled").atMost(FaultTally.timeout()).until(tally::allHandled);
			System.out.printf("[faults] producer connection cut: %d connections cut, %d refused, %s producer errors%n",
					proxy.cutConnections(), proxy.refused(), tally.counter("producer_errors_total"));
			assertThat(proxy.refused()).as("connections refused during the cut").isPositive();
		}
		finally {
			if (consumer != null) {
				consumer.close();
			}
			kinesis.deleteStream(stream);
		}
		tally.printAndAssertNoLoss();
	}

	@ParameterizedTest
	@EnumSource(ConsumerMode.class)
	void consumerHandlesEveryRecordThroughAConnectionCutAndNeverCheckpointsAhead(ConsumerMode mode,
			LocalKinesis kinesis) throws Exception {
		FaultTally tally = new FaultTally("consumer connection cut, " + mode);
		// stream names avoid the word "consumer" (kinesis-local misreads such fan-out
		// ARNs)
		String stream = kinesis.createStream("fault-read", 2);
		AuditingCheckpointer checkpointer = new AuditingCheckpointer(new MemoryCheckpointer(settings(stream)));
		KinesisConsumer consumer = null;
		List<PutResult> results;
		try (TcpFaultProxy proxy = new TcpFaultProxy(kinesis.endpoint().getPort());
				KinesisAsyncClient viaProxy = kinesis
					.newClient((builder) -> builder.endpointOverride(proxy.endpoint()))) {
			consumer = KinesisConsumer.builder(viaProxy)
				.streamName(stream)
				.options(FaultRuns.consumerOptions(mode))
				.checkpointer(checkpointer)
				.metricsCollector(tally)
				.build();
			consumer.start((record) -> {
				tally.handled(record.dataAsString(), record.sequenceNumber());
				checkpointer.handled(record.shardId(), record.sequenceNumber());
			});
			CompletableFuture<List<PutResult>> production = FaultRuns.produce(kinesis.client(), stream, "get", tally);

			await("a third of the records handled").atMost(FaultTally.timeout())
				.until(() -> tally.distinctHandled() >= FaultTally.RECORDS / 3);
			int writesBeforeCut = checkpointer.writes();
			proxy.cut(FaultRuns.OUTAGE);
			await("the cut over").atMost(Duration.ofSeconds(30)).until(() -> !proxy.isCut());

			results = production.get(FaultTally.timeout().toMillis(), TimeUnit.MILLISECONDS);
			await("every record handled").atMost(FaultTally.timeout()).until(tally::allHandled);
			consumer.close();
			System.out.printf(
					"[faults] consumer connection cut, %s: %d connections cut, %d refused, %s read errors, "
							+ "%d checkpoint writes (%d before the cut)%n",
					mode, proxy.cutConnections(), proxy.refused(), tally.counter("consumer_errors_total"),
					checkpointer.writes(), writesBeforeCut);
			assertThat(proxy.cutConnections()).as("connections cut").isPositive();
			assertThat(checkpointer.writes()).as("checkpoints written after the cut").isGreaterThan(writesBeforeCut);
		}
		finally {
			if (consumer != null) {
				consumer.close();
			}
			kinesis.deleteStream(stream);
		}
		tally.printAndAssertNoLoss();
		assertThat(checkpointer.violations(results)).as("checkpoints ahead of handled records").isEmpty();
	}

	private static CheckpointerSettings settings(String stream) {
		return CheckpointerSettings.of(TestNames.unique("faults"), stream).withLeaseDuration(Duration.ofSeconds(3));
	}

}
