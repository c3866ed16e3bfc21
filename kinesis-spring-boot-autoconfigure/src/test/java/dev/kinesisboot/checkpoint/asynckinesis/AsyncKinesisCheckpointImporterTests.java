package dev.kinesisboot.checkpoint.asynckinesis;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.CheckpointerSettings;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.MemoryCheckpointer;
import dev.kinesisboot.testsupport.AsyncKinesisFixtures;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Moving async-kinesis checkpoints (its Redis and DynamoDB layouts, as dumped in the
 * fixtures) into our store.
 */
class AsyncKinesisCheckpointImporterTests {

	private static final String NAME = "orders-app";

	private static final String STREAM = "orders";

	@Test
	void everyRedisFixtureEntryReadsAsItsShardSequenceOwnerAndHeartbeat() {
		int entries = 0;
		for (JsonNode dump : dumps("checkpoints-redis.json")) {
			for (JsonNode entry : dump.get("entries")) {
				AsyncKinesisCheckpoint checkpoint = RedisAsyncKinesisCheckpoints
					.parse(NAME, entry.get("key").asString(), entry.get("value").asString())
					.orElseThrow();
				assertParsed(checkpoint, entry.get("value_parsed"),
						entry.get("key").asString().substring(("pyredis-" + NAME + "-").length()));
				entries++;
			}
		}
		assertThat(entries).isEqualTo(12);
		assertThat(RedisAsyncKinesisCheckpoints.parse(NAME, "pyredis-orders-app-extra-shardId-000000000000", "{}"))
			.as("a key of another name that starts alike")
			.isEmpty();
	}

	@Test
	void everyDynamoDbFixtureItemReadsAsItsShardSequenceOwnerAndHeartbeat() {
		int entries = 0;
		for (JsonNode dump : dumps("checkpoints-dynamodb.json")) {
			for (JsonNode entry : dump.get("entries")) {
				AsyncKinesisCheckpoint checkpoint = DynamoDbAsyncKinesisCheckpoints.parse(item(entry));
				Map<String, Object> expected = new HashMap<>();
				expected.put("sequence",
						entry.get("sequence").has("S") ? entry.get("sequence").get("S").asString() : null);
				assertThat(checkpoint.shardId()).isEqualTo(entry.get("shard_id").get("S").asString());
				assertThat(checkpoint.sequenceNumber()).isEqualTo(expected.get("sequence"));
				assertThat(checkpoint.owner())
					.isEqualTo(entry.get("ref").has("S") ? entry.get("ref").get("S").asString() : null);
				assertThat(checkpoint.heartbeat()).isEqualTo(
						entry.get("ts").has("N") ? Instant.ofEpochSecond(entry.get("ts").get("N").asLong()) : null);
				entries++;
			}
		}
		assertThat(entries).isEqualTo(12);
	}

	@Test
	void importAfterAGracefulCloseMarksEachShardHandledThroughItsStoredSequence() {
		JsonNode fixture = AsyncKinesisFixtures.read("checkpoints-redis.json");
		JsonNode dump = dump(fixture, "A", "after_graceful_close");
		MemoryCheckpointer store = store(at(dump));
		List<ImportedShard> imported = importer(dump, at(dump), false).importInto(store).join();

		assertThat(imported).extracting(ImportedShard::outcome).containsOnly(ImportedShard.Outcome.IMPORTED);
		Map<String, String> last = lastSequences(fixture.get("phases").get(0));
		for (Lease lease : store.listLeases().join()) {
			assertThat(lease.owner()).as("released after the import").isNull();
			assertThat(lease.checkpoint().sequenceNumber()).isEqualTo(last.get(lease.shardId()));
		}
		// phase B of the fixture: the Python consumer that took over read exactly the
		// records after phase A's checkpoints; so must we
		List<String> handled = new ArrayList<>();
		List<String> unhandled = new ArrayList<>();
		for (JsonNode record : fixture.get("records")) {
			Checkpoint stored = store.getCheckpoint(record.get("shard_id").asString()).join().orElseThrow();
			String sequence = record.get("sequence_number").asString();
			// every user record of a Kinesis record, whatever its index, is on one side
			boolean first = new Checkpoint(sequence, 0).compareTo(stored) <= 0;
			boolean last2 = new Checkpoint(sequence, 1_000_000).compareTo(stored) <= 0;
			assertThat(first).isEqualTo(last2);
			(first ? handled : unhandled).add(record.get("data_json").get("order_id").asString());
		}
		assertThat(handled).containsExactlyInAnyOrderElementsOf(orderIds(fixture.get("phases").get(0)));
		assertThat(unhandled).containsExactlyInAnyOrderElementsOf(orderIds(fixture.get("phases").get(1)));
	}

	@Test
	void importIsRefusedWhileAsyncKinesisStillHoldsALiveLeaseAndWritesNothing() {
		JsonNode dump = dump(AsyncKinesisFixtures.read("checkpoints-dynamodb.json"), "B",
				"running_holding_leases_after_checkpoint");
		MemoryCheckpointer store = store(at(dump));
		assertThatThrownBy(() -> importer(dump, at(dump), false).importInto(store).join())
			.isInstanceOf(CompletionException.class)
			.cause()
			.isInstanceOf(AsyncKinesisLeaseHeldException.class)
			.hasMessageContaining("shardId-000000000000")
			.hasMessageContaining("orders-app/")
			.hasMessageContaining("stop the async-kinesis consumers")
			.hasMessageContaining("force");
		assertThat(store.listLeases().join()).isEmpty();
	}

	@Test
	void liveLeasesOfShardsOurStoreCheckpointedAlreadyDoNotStopTheImport() {
		JsonNode dump = dump(AsyncKinesisFixtures.read("checkpoints-dynamodb.json"), "B",
				"running_holding_leases_after_checkpoint");
		MemoryCheckpointer store = store(at(dump));
		for (String shardId : List.of("shardId-000000000000", "shardId-000000000001")) {
			assertThat(store.takeLease(shardId, null).join()).isTrue();
			store.checkpoint(shardId, Checkpoint.at("1")).join();
			store.releaseLease(shardId).join();
		}
		assertThat(importer(dump, at(dump), false).importInto(store).join()).extracting(ImportedShard::outcome)
			.containsOnly(ImportedShard.Outcome.ALREADY_CHECKPOINTED);
	}

	@Test
	void aForcedImportTakesOverLiveLeases() {
		JsonNode dump = dump(AsyncKinesisFixtures.read("checkpoints-dynamodb.json"), "B",
				"running_holding_leases_after_checkpoint");
		MemoryCheckpointer store = store(at(dump));
		assertThat(importer(dump, at(dump), true).importInto(store).join()).extracting(ImportedShard::outcome)
			.containsOnly(ImportedShard.Outcome.IMPORTED);
	}

	@Test
	void aLeaseWhoseHeartbeatIsOlderThanTheSessionTimeoutIsNotLive() {
		JsonNode dump = dump(AsyncKinesisFixtures.read("checkpoints-redis.json"), "A",
				"running_holding_leases_after_checkpoint");
		Clock later = Clock.fixed(at(dump).instant().plus(Duration.ofSeconds(61)), ZoneOffset.UTC);
		assertThat(importer(dump, later, false).importInto(store(later)).join()).extracting(ImportedShard::outcome)
			.containsOnly(ImportedShard.Outcome.IMPORTED);
	}

	@Test
	void shardsThatAlreadyHaveACheckpointOrNeverHadOneAreLeftAsTheyAre() {
		JsonNode fixture = AsyncKinesisFixtures.read("checkpoints-redis.json");
		JsonNode never = dump(fixture, "A", "running_leases_allocated_before_first_checkpoint");
		Clock later = Clock.fixed(at(never).instant().plus(Duration.ofMinutes(5)), ZoneOffset.UTC);
		MemoryCheckpointer store = store(later);
		assertThat(importer(never, later, false).importInto(store).join()).extracting(ImportedShard::outcome)
			.containsOnly(ImportedShard.Outcome.NOTHING_TO_IMPORT);
		assertThat(store.listLeases().join()).isEmpty();

		assertThat(store.takeLease("shardId-000000000000", null).join()).isTrue();
		store.checkpoint("shardId-000000000000", Checkpoint.at("1")).join();
		store.releaseLease("shardId-000000000000").join();
		JsonNode closed = dump(fixture, "B", "after_graceful_close");
		List<ImportedShard> imported = importer(closed, later, false).importInto(store).join();
		assertThat(imported).extracting(ImportedShard::shardId, ImportedShard::outcome)
			.containsExactlyInAnyOrder(
					org.assertj.core.groups.Tuple.tuple("shardId-000000000000",
							ImportedShard.Outcome.ALREADY_CHECKPOINTED),
					org.assertj.core.groups.Tuple.tuple("shardId-000000000001", ImportedShard.Outcome.IMPORTED));
		assertThat(store.getCheckpoint("shardId-000000000000").join()).contains(Checkpoint.at("1"));
	}

	@Test
	void aShardLeasedByAnotherLiveWorkerOfOursIsNotImported() {
		JsonNode dump = dump(AsyncKinesisFixtures.read("checkpoints-redis.json"), "B", "after_graceful_close");
		Clock clock = at(dump);
		MemoryCheckpointer.Store shared = new MemoryCheckpointer.Store();
		MemoryCheckpointer other = new MemoryCheckpointer(settings(clock).withWorkerId("reading-already"), shared);
		assertThat(other.takeLease("shardId-000000000001", null).join()).isTrue();
		List<ImportedShard> imported = importer(dump, clock, false)
			.importInto(new MemoryCheckpointer(settings(clock), shared))
			.join();
		assertThat(imported).filteredOn((shard) -> shard.shardId().equals("shardId-000000000001"))
			.singleElement()
			.extracting(ImportedShard::outcome)
			.isEqualTo(ImportedShard.Outcome.LEASE_HELD);
		assertThat(other.getCheckpoint("shardId-000000000001").join()).isEmpty();
	}

	private static void assertParsed(AsyncKinesisCheckpoint checkpoint, JsonNode value, String shardId) {
		assertThat(checkpoint.shardId()).isEqualTo(shardId);
		assertThat(checkpoint.sequenceNumber())
			.isEqualTo(value.get("sequence").isNull() ? null : value.get("sequence").asString());
		assertThat(checkpoint.owner()).isEqualTo(value.get("ref").isNull() ? null : value.get("ref").asString());
		assertThat(checkpoint.heartbeat())
			.isEqualTo(value.get("ts").isNull() ? null : Instant.ofEpochSecond(value.get("ts").asLong()));
		if (checkpoint.sequenceNumber() != null) {
			assertThat(new BigInteger(checkpoint.sequenceNumber())).isPositive();
		}
	}

	private static AsyncKinesisCheckpointImporter importer(JsonNode dump, Clock clock, boolean force) {
		List<AsyncKinesisCheckpoint> checkpoints = new ArrayList<>();
		for (JsonNode entry : dump.get("entries")) {
			checkpoints.add(entry.has("key") ? RedisAsyncKinesisCheckpoints
				.parse(NAME, entry.get("key").asString(), entry.get("value").asString())
				.orElseThrow() : DynamoDbAsyncKinesisCheckpoints.parse(item(entry)));
		}
		AsyncKinesisCheckpointSource source = new AsyncKinesisCheckpointSource() {
			@Override
			public CompletableFuture<List<AsyncKinesisCheckpoint>> read() {
				return CompletableFuture.completedFuture(checkpoints);
			}

			@Override
			public String describe() {
				return "the fixture";
			}
		};
		return AsyncKinesisCheckpointImporter.builder(source).clock(clock).force(force).build();
	}

	private static MemoryCheckpointer store(Clock clock) {
		return new MemoryCheckpointer(settings(clock));
	}

	private static CheckpointerSettings settings(Clock clock) {
		return CheckpointerSettings.of(NAME, STREAM).withClock(clock);
	}

	/** The clock as it was when the dump was taken. */
	private static Clock at(JsonNode dump) {
		return Clock.fixed(Instant.ofEpochMilli((long) (dump.get("t").asDouble() * 1000)), ZoneOffset.UTC);
	}

	private static List<JsonNode> dumps(String file) {
		List<JsonNode> dumps = new ArrayList<>();
		for (JsonNode phase : AsyncKinesisFixtures.read(file).get("phases")) {
			phase.get("dumps").forEach(dumps::add);
		}
		return dumps;
	}

	private static JsonNode dump(JsonNode fixture, String phase, String label) {
		for (JsonNode candidate : fixture.get("phases")) {
			if (candidate.get("phase").asString().equals(phase)) {
				for (JsonNode dump : candidate.get("dumps")) {
					if (dump.get("label").asString().equals(label)) {
						return dump;
					}
				}
			}
		}
		throw new IllegalArgumentException(phase + "/" + label);
	}

	private static Map<String, String> lastSequences(JsonNode phase) {
		Map<String, String> last = new HashMap<>();
		phase.get("last_sequence_handled_per_shard")
			.properties()
			.forEach((entry) -> last.put(entry.getKey(), entry.getValue().asString()));
		return last;
	}

	private static List<String> orderIds(JsonNode phase) {
		List<String> ids = new ArrayList<>();
		phase.get("items").forEach((item) -> ids.add(item.get("order_id").asString()));
		return ids;
	}

	/** A typed-JSON Scan item of the fixture as the SDK gives it. */
	static Map<String, AttributeValue> item(JsonNode entry) {
		Map<String, AttributeValue> item = new HashMap<>();
		entry.properties().forEach((attribute) -> {
			JsonNode typed = attribute.getValue();
			AttributeValue value;
			if (typed.has("S")) {
				value = AttributeValue.fromS(typed.get("S").asString());
			}
			else if (typed.has("N")) {
				value = AttributeValue.fromN(typed.get("N").asString());
			}
			else {
				value = AttributeValue.fromNul(typed.get("NULL").asBoolean());
			}
			item.put(attribute.getKey(), value);
		});
		return item;
	}

}
