package dev.kinesisboot.listener;

import dev.kinesisboot.listener.KinesisListenerObservation.HighCardinalityKeyNames;
import dev.kinesisboot.listener.KinesisListenerObservation.LowCardinalityKeyNames;
import dev.kinesisboot.record.KinesisRecord;
import io.micrometer.common.KeyValues;

/**
 * The observation {@code kinesis.listener}, named "{@code <stream> process}" in traces,
 * with the key values {@link KinesisListenerObservation} lists. Extend it to add key
 * values of your own. Stateless and thread-safe.
 */
public class DefaultKinesisListenerObservationConvention implements KinesisListenerObservationConvention {

	/** The shared instance. */
	public static final DefaultKinesisListenerObservationConvention INSTANCE = new DefaultKinesisListenerObservationConvention();

	@Override
	public String getName() {
		return KinesisListenerObservation.LISTENER_OBSERVATION.getName();
	}

	@Override
	public String getContextualName(KinesisListenerObservationContext context) {
		return context.getStream() + " process";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(KinesisListenerObservationContext context) {
		Throwable error = context.getError();
		return KeyValues.of(LowCardinalityKeyNames.MESSAGING_SYSTEM.withValue("kinesis"),
				LowCardinalityKeyNames.MESSAGING_OPERATION.withValue("process"),
				LowCardinalityKeyNames.STREAM.withValue(context.getStream()),
				LowCardinalityKeyNames.CONSUMER_GROUP.withValue(context.getGroup()),
				LowCardinalityKeyNames.LISTENER_ID.withValue(context.getListenerId()),
				LowCardinalityKeyNames.OUTCOME.withValue((error != null) ? "FAILURE" : "SUCCESS"),
				LowCardinalityKeyNames.EXCEPTION.withValue(exceptionName(error)));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(KinesisListenerObservationContext context) {
		KinesisRecord<byte[]> first = context.getRecords().get(0);
		KeyValues keyValues = KeyValues.of(HighCardinalityKeyNames.SHARD_ID.withValue(first.shardId()));
		if (context.isBatch()) {
			return keyValues
				.and(HighCardinalityKeyNames.BATCH_SIZE.withValue(String.valueOf(context.getRecords().size())));
		}
		return keyValues.and(HighCardinalityKeyNames.SEQUENCE_NUMBER.withValue(first.sequenceNumber()));
	}

	private static String exceptionName(Throwable error) {
		if (error == null) {
			return "none";
		}
		String simpleName = error.getClass().getSimpleName();
		return simpleName.isEmpty() ? error.getClass().getName() : simpleName;
	}

}
