package dev.kinesisboot.producer;

import dev.kinesisboot.producer.KinesisTemplateObservation.HighCardinalityKeyNames;
import dev.kinesisboot.producer.KinesisTemplateObservation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValues;

/**
 * The observation {@code kinesis.template}, named "{@code <stream> publish}" in traces,
 * with the key values {@link KinesisTemplateObservation} lists. Extend it to add key
 * values of your own. Stateless and thread-safe.
 */
public class DefaultKinesisTemplateObservationConvention implements KinesisTemplateObservationConvention {

	/** The shared instance. */
	public static final DefaultKinesisTemplateObservationConvention INSTANCE = new DefaultKinesisTemplateObservationConvention();

	@Override
	public String getName() {
		return KinesisTemplateObservation.TEMPLATE_OBSERVATION.getName();
	}

	@Override
	public String getContextualName(KinesisTemplateObservationContext context) {
		return context.getStream() + " publish";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(KinesisTemplateObservationContext context) {
		Throwable error = context.getError();
		return KeyValues.of(LowCardinalityKeyNames.MESSAGING_SYSTEM.withValue("kinesis"),
				LowCardinalityKeyNames.MESSAGING_OPERATION.withValue("publish"),
				LowCardinalityKeyNames.STREAM.withValue(context.getStream()),
				LowCardinalityKeyNames.OUTCOME.withValue((error != null) ? "FAILURE" : "SUCCESS"),
				LowCardinalityKeyNames.EXCEPTION.withValue(exceptionName(error)));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(KinesisTemplateObservationContext context) {
		PutResult result = context.getResult();
		if (result == null) {
			return KeyValues.empty();
		}
		return KeyValues.of(HighCardinalityKeyNames.SHARD_ID.withValue(result.shardId()),
				HighCardinalityKeyNames.SEQUENCE_NUMBER.withValue(result.sequenceNumber()));
	}

	private static String exceptionName(Throwable error) {
		if (error == null) {
			return "none";
		}
		String simpleName = error.getClass().getSimpleName();
		return simpleName.isEmpty() ? error.getClass().getName() : simpleName;
	}

}
