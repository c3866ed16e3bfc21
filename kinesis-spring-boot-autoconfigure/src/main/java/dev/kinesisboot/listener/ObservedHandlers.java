package dev.kinesisboot.listener;

import java.util.List;

import dev.kinesisboot.consumer.BatchHandler;
import dev.kinesisboot.consumer.RecordHandler;
import dev.kinesisboot.record.KinesisRecord;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * Wraps a container's handlers so that each listener call is a
 * {@link KinesisListenerObservation}: what the listener throws is recorded and thrown on
 * unchanged, so error handling sees the same exception. With a no-op registry the
 * handlers are returned as they are, and nothing is observed. Thread-safe.
 */
final class ObservedHandlers {

	private final ObservationRegistry registry;

	private final KinesisListenerObservationConvention convention;

	private final String listenerId;

	private final String stream;

	private final String group;

	/**
	 * Observes the calls of one container's listener on one stream.
	 * @param registry where observations go
	 * @param convention the convention, or {@code null} for the default
	 * @param listenerId the container id
	 * @param stream the stream's name
	 * @param group the consumer group
	 */
	ObservedHandlers(ObservationRegistry registry, KinesisListenerObservationConvention convention, String listenerId,
			String stream, String group) {
		this.registry = registry;
		this.convention = convention;
		this.listenerId = listenerId;
		this.stream = stream;
		this.group = group;
	}

	RecordHandler records(RecordHandler handler) {
		if (this.registry.isNoop()) {
			return handler;
		}
		return (record) -> observe(List.of(record), false, () -> handler.handle(record));
	}

	BatchHandler batches(BatchHandler handler) {
		if (this.registry.isNoop()) {
			return handler;
		}
		return (records) -> observe(records, true, () -> handler.handle(records));
	}

	private void observe(List<KinesisRecord<byte[]>> records, boolean batch, Call call) throws Exception {
		KinesisListenerObservationContext context = new KinesisListenerObservationContext(this.listenerId, this.stream,
				this.group, records, batch);
		Observation observation = KinesisListenerObservation.LISTENER_OBSERVATION
			.observation(this.convention, DefaultKinesisListenerObservationConvention.INSTANCE, () -> context,
					this.registry)
			.start();
		try (Observation.Scope scope = observation.openScope()) {
			call.run();
		}
		catch (Exception | Error ex) {
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.stop();
		}
	}

	@FunctionalInterface
	private interface Call {

		void run() throws Exception;

	}

}
