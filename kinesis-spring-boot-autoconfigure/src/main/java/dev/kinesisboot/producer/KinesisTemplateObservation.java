package dev.kinesisboot.producer;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observation {@link KinesisTemplate} makes of each send, and the key values of its
 * default convention ({@link DefaultKinesisTemplateObservationConvention}).
 */
public enum KinesisTemplateObservation implements ObservationDocumentation {

	/**
	 * One record sent with {@link KinesisTemplate#send}: from the call until Kinesis
	 * stored the record or the send failed.
	 */
	TEMPLATE_OBSERVATION {

		@Override
		public String getName() {
			return "kinesis.template";
		}

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultKinesisTemplateObservationConvention.class;
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

		/** Always {@code publish}. */
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

		/** {@code SUCCESS}, or {@code FAILURE} when the send failed. */
		OUTCOME {

			@Override
			public String asString() {
				return "outcome";
			}

		},

		/** The simple class name of the failure, or {@code none}. */
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

		/** The shard that stored the record; only after a successful send. */
		SHARD_ID {

			@Override
			public String asString() {
				return "messaging.destination.partition.id";
			}

		},

		/**
		 * The sequence number of the record; only after a successful send. With the shard
		 * it finds the listener's observation of the same record, since no trace context
		 * travels with a Kinesis record.
		 */
		SEQUENCE_NUMBER {

			@Override
			public String asString() {
				return "messaging.message.id";
			}

		}

	}

}
