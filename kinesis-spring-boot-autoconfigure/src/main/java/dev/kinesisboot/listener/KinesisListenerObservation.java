package dev.kinesisboot.listener;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observation a {@link KinesisListenerContainer} makes of each listener call, and the
 * key values of its default convention
 * ({@link DefaultKinesisListenerObservationConvention}).
 */
public enum KinesisListenerObservation implements ObservationDocumentation {

	/**
	 * One call of a {@link KinesisListener} method: with one record, or with one batch in
	 * batch mode. Each retry of a failed call is an observation of its own.
	 */
	LISTENER_OBSERVATION {

		@Override
		public String getName() {
			return "kinesis.listener";
		}

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultKinesisListenerObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return LowCardinalityKeyNames.values();
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return HighCardinalityKeyNames.values();
		}

	};

	/**
	 * Key values with few distinct values: they become meter tags.
	 */
	public enum LowCardinalityKeyNames implements KeyName {

		/** Always {@code kinesis}. */
		MESSAGING_SYSTEM {

			@Override
			public String asString() {
				return "messaging.system";
			}

		},

		/** Always {@code process}. */
		MESSAGING_OPERATION {

			@Override
			public String asString() {
				return "messaging.operation";
			}

		},

		/** The stream's name (the name part of an ARN). */
		STREAM {

			@Override
			public String asString() {
				return "messaging.destination.name";
			}

		},

		/** The consumer group the container reads as. */
		CONSUMER_GROUP {

			@Override
			public String asString() {
				return "messaging.consumer.group.name";
			}

		},

		/** The listener's container id. */
		LISTENER_ID {

			@Override
			public String asString() {
				return "listener.id";
			}

		},

		/** {@code SUCCESS}, or {@code FAILURE} when the listener threw. */
		OUTCOME {

			@Override
			public String asString() {
				return "outcome";
			}

		},

		/** The simple class name of what the listener threw, or {@code none}. */
		EXCEPTION {

			@Override
			public String asString() {
				return "exception";
			}

		}

	}

	/**
	 * Key values with many distinct values: they go to traces, not to meters.
	 */
	public enum HighCardinalityKeyNames implements KeyName {

		/** The shard the records were read from. */
		SHARD_ID {

			@Override
			public String asString() {
				return "messaging.destination.partition.id";
			}

		},

		/** The record's sequence number; not in batch mode. */
		SEQUENCE_NUMBER {

			@Override
			public String asString() {
				return "messaging.message.id";
			}

		},

		/** How many records the batch holds; only in batch mode. */
		BATCH_SIZE {

			@Override
			public String asString() {
				return "messaging.batch.message_count";
			}

		}

	}

}
