package dev.kinesisboot.producer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and key values of the observations of {@link KinesisTemplate} sends. Give one to
 * {@link KinesisTemplate#setObservationConvention} to replace the default; extending
 * {@link DefaultKinesisTemplateObservationConvention} keeps its key values.
 */
public interface KinesisTemplateObservationConvention extends ObservationConvention<KinesisTemplateObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof KinesisTemplateObservationContext;
	}

}
