package dev.kinesisboot.autoconfigure;

import dev.kinesisboot.consumer.FanOutUnavailableException;
import dev.kinesisboot.support.StreamNotFoundException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Readable start-up failures for bad Kinesis configuration.
 */
public final class KinesisFailureAnalyzers {

	private KinesisFailureAnalyzers() {
	}

	/**
	 * Explains an invalid {@code kinesis.*} property.
	 */
	public static class InvalidProperty extends AbstractFailureAnalyzer<InvalidKinesisPropertyException> {

		@Override
		protected FailureAnalysis analyze(Throwable rootFailure, InvalidKinesisPropertyException cause) {
			return new FailureAnalysis(
					"The Kinesis starter cannot use the value '" + cause.getValue() + "' of '" + cause.getProperty()
							+ "': " + cause.getReason(),
					"Update '" + cause.getProperty() + "' in your application's configuration.", cause);
		}

	}

	/**
	 * Explains enhanced fan-out that could not be set up, naming the property that
	 * switches back to polling.
	 */
	public static class FanOutUnavailable extends AbstractFailureAnalyzer<FanOutUnavailableException> {

		@Override
		protected FailureAnalysis analyze(Throwable rootFailure, FanOutUnavailableException cause) {
			return new FailureAnalysis(cause.getMessage(),
					"Grant kinesis:RegisterStreamConsumer, kinesis:DescribeStreamConsumer and kinesis:SubscribeToShard "
							+ "to the application's credentials, or set kinesis.consumer.mode=polling.",
					cause);
		}

	}

	/**
	 * Explains a listener or producer stream that does not exist.
	 */
	public static class StreamNotFound extends AbstractFailureAnalyzer<StreamNotFoundException> {

		@Override
		protected FailureAnalysis analyze(Throwable rootFailure, StreamNotFoundException cause) {
			return new FailureAnalysis(
					"Kinesis stream '" + cause.streamName() + "' does not exist in region " + cause.region()
							+ " (endpoint " + cause.endpoint() + ").",
					"Create the stream, check kinesis.region and kinesis.endpoint, or for development set "
							+ "kinesis.consumer.create-stream=true (listeners) or kinesis.producer.create-stream=true "
							+ "(producer).",
					cause);
		}

	}

}
