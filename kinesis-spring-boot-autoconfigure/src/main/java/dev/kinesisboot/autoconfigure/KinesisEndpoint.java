package dev.kinesisboot.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import java.util.concurrent.TimeUnit;

import dev.kinesisboot.checkpoint.Checkpoint;
import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.consumer.CheckpointMover;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.consumer.KinesisConsumer;
import dev.kinesisboot.consumer.ShardStatus;
import dev.kinesisboot.listener.KinesisListenerContainer;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.jspecify.annotations.Nullable;

/**
 * Actuator endpoint {@code kinesis}: per listener container and stream, the shards this
 * worker reads and the leases of the group (it shows no configuration, so no
 * credentials); and, as a write operation, pausing and resuming a container ({@code POST
 * /actuator/kinesis/{id}} with {@code {"state": "paused"}} or {@code "running"}). Write
 * access is off unless the application grants it
 * ({@code management.endpoint.kinesis.access=unrestricted}). Thread-safe.
 */
@Endpoint(id = "kinesis", defaultAccess = Access.READ_ONLY)
public class KinesisEndpoint {

	private static final Duration LEASE_TIMEOUT = Duration.ofSeconds(5);

	private final KinesisListenerEndpointRegistry registry;

	/**
	 * Creates the endpoint over the containers of the registry.
	 * @param registry the listener container registry
	 */
	public KinesisEndpoint(KinesisListenerEndpointRegistry registry) {
		this.registry = registry;
	}

	/**
	 * Describes every listener container.
	 * @return the containers
	 */
	@ReadOperation
	public KinesisDescriptor kinesis() {
		return new KinesisDescriptor(
				this.registry.getListenerContainers().stream().map(KinesisEndpoint::describe).toList());
	}

	/**
	 * Pauses or resumes a listener container: paused, it fetches nothing but keeps its
	 * leases.
	 * @param id the container id
	 * @param state {@code paused} or {@code running}
	 * @return the container afterwards, or {@code null} (404) when there is no such
	 * container
	 */
	@WriteOperation
	public ContainerDescriptor state(@Selector String id, String state) {
		KinesisListenerContainer container = this.registry.getListenerContainer(id);
		if (container == null) {
			return null;
		}
		switch ((state != null) ? state.trim().toLowerCase(Locale.ROOT) : "") {
			case "paused" -> container.pause();
			case "running" -> container.resume();
			default -> throw new InvalidEndpointRequestException(
					"state must be \"paused\" or \"running\", not \"" + state + "\"", "Bad state");
		}
		return describe(container);
	}

	/**
	 * Resets or moves the checkpoints of a container's group on one of its streams,
	 * safely while it runs ({@code POST /actuator/kinesis/{id}/{stream}}).
	 * @param id the container id
	 * @param stream one of its streams
	 * @param to {@code TRIM_HORIZON}, {@code LATEST}, {@code AT_TIMESTAMP} (with
	 * {@code timestamp}) or {@code AFTER_SEQUENCE_NUMBER} (with {@code sequenceNumbers})
	 * @param timestamp an ISO-8601 instant, for {@code AT_TIMESTAMP}
	 * @param sequenceNumbers shard id to sequence number, for
	 * {@code AFTER_SEQUENCE_NUMBER}: reading resumes after that record
	 * @return the shards moved with their new position, and those re-opened because they
	 * had been read to their end; {@code null} (404) when there is no such container
	 */
	@WriteOperation
	public CheckpointMover.Result checkpoints(@Selector String id, @Selector String stream, String to,
			@Nullable String timestamp, @Nullable Map<String, String> sequenceNumbers) {
		KinesisListenerContainer container = this.registry.getListenerContainer(id);
		if (container == null) {
			return null;
		}
		if (!container.getEndpoint().streams().contains(stream)) {
			throw new InvalidEndpointRequestException("Container '" + id + "' reads "
					+ container.getEndpoint().streams() + ", not stream '" + stream + "'", "Unknown stream");
		}
		switch ((to != null) ? to.trim().toUpperCase(Locale.ROOT) : "") {
			case "TRIM_HORIZON" -> {
				return container.moveCheckpoints(stream, CheckpointMover.Target.trimHorizon());
			}
			case "LATEST" -> {
				return container.moveCheckpoints(stream, CheckpointMover.Target.latest());
			}
			case "AT_TIMESTAMP" -> {
				return container.moveCheckpoints(stream, CheckpointMover.Target.atTimestamp(instant(timestamp)));
			}
			case "AFTER_SEQUENCE_NUMBER" -> {
				if (sequenceNumbers == null || sequenceNumbers.isEmpty()) {
					throw new InvalidEndpointRequestException(
							"AFTER_SEQUENCE_NUMBER needs \"sequenceNumbers\": {\"<shard id>\": \"<sequence number>\"}",
							"Missing sequence numbers");
				}
				Map<String, Checkpoint> positions = new LinkedHashMap<>();
				sequenceNumbers
					.forEach((shard, sequence) -> positions.put(shard, CheckpointMover.afterSequenceNumber(sequence)));
				return container.moveCheckpoints(stream, positions);
			}
			default -> throw new InvalidEndpointRequestException("\"to\" must be TRIM_HORIZON, LATEST, AT_TIMESTAMP "
					+ "or AFTER_SEQUENCE_NUMBER, not \"" + to + "\"", "Bad target");
		}
	}

	private static Instant instant(String timestamp) {
		try {
			return Instant.parse(timestamp);
		}
		catch (RuntimeException ex) {
			throw new InvalidEndpointRequestException(
					"AT_TIMESTAMP needs \"timestamp\" as an ISO-8601 instant such as 2026-12-01T00:00:00Z, not \""
							+ timestamp + "\"",
					"Bad timestamp");
		}
	}

	private static ContainerDescriptor describe(KinesisListenerContainer container) {
		return new ContainerDescriptor(container.getId(), container.getEndpoint().group(), container.isRunning(),
				container.isPaused(), container.getConsumers().stream().map(KinesisEndpoint::describe).toList());
	}

	private static StreamDescriptor describe(KinesisConsumer consumer) {
		Checkpointer checkpointer = consumer.checkpointer();
		List<LeaseDescriptor> leases = null;
		String leasesError = null;
		try {
			leases = checkpointer.listLeases()
				.get(LEASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
				.stream()
				.map(LeaseDescriptor::of)
				.toList();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			leasesError = "interrupted";
		}
		catch (Exception ex) {
			// the lease store may be unreachable; the shard states are still worth
			// showing
			leasesError = ex.toString();
		}
		return new StreamDescriptor(consumer.streamName(), checkpointer.applicationName(), checkpointer.workerId(),
				consumer.isRunning(), consumer.knownShards().size(), consumer.status(), leases, leasesError);
	}

	/**
	 * What the endpoint returns.
	 *
	 * @param containers one per listener container
	 */
	public record KinesisDescriptor(List<ContainerDescriptor> containers) {

	}

	/**
	 * A listener container.
	 *
	 * @param id the container id
	 * @param group the consumer group as declared on the listener, or {@code null} for
	 * the default
	 * @param running whether it runs
	 * @param paused whether it is paused (fetching nothing, leases kept)
	 * @param streams one per stream it reads
	 */
	public record ContainerDescriptor(String id, String group, boolean running, boolean paused,
			List<StreamDescriptor> streams) {

	}

	/**
	 * A stream a container reads.
	 *
	 * @param stream the stream name
	 * @param application the application (group) name the leases are kept under
	 * @param workerId this worker
	 * @param running whether its consumer runs
	 * @param knownShards how many shards (open and closed) the consumer knows of
	 * @param shards the shards this worker reads
	 * @param leases the leases of the stream, or {@code null} when they could not be read
	 * @param leasesError why the leases could not be read, or {@code null}
	 */
	public record StreamDescriptor(String stream, String application, String workerId, boolean running, int knownShards,
			List<ShardStatus> shards, List<LeaseDescriptor> leases, String leasesError) {

	}

	/**
	 * A lease.
	 *
	 * @param shardId the shard
	 * @param owner the worker holding it, or {@code null} when free
	 * @param expiresAt when it lapses unless renewed
	 * @param checkpoint the checkpoint as text, or {@code null} when none was written
	 */
	public record LeaseDescriptor(String shardId, String owner, Instant expiresAt, String checkpoint) {

		static LeaseDescriptor of(Lease lease) {
			return new LeaseDescriptor(lease.shardId(), lease.owner(), lease.expiresAt(),
					(lease.checkpoint() != null) ? lease.checkpoint().toText() : null);
		}

	}

}
