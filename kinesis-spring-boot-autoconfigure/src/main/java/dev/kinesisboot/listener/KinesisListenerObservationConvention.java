package dev.kinesisboot.listener;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and key values of the observations of listener calls. Give one to
 * {@link DefaultKinesisListenerContainerFactory#setObservationConvention} to replace the
 * default; extending {@link DefaultKinesisListenerObservationConvention} keeps its key
 * values.
 */
public interface KinesisListenerObservationConvention extends ObservationConvention<KinesisListenerObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof KinesisListenerObservationContext;
	}

}
