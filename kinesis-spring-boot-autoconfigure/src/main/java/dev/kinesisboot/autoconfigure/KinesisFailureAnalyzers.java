package dev.kinesisboot.autoconfigure;

import dev.kinesisboot.checkpoint.asynckinesis.AsyncKinesisLeaseHeldException;
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
					"Create the stream, check kinesis.region and kinesis.endpoint (and, for a dead-letter stream, "
							+ "kinesis.consumer.dead-letter-stream), or for development set "
							+ "kinesis.consumer.create-stream=true (listeners) or kinesis.producer.create-stream=true "
							+ "(producer).",
					cause);
		}

	}

	/**
	 * Explains an async-kinesis checkpoint import refused because Python workers still
	 * hold leases.
	 */
	public static class AsyncKinesisLeaseHeld extends AbstractFailureAnalyzer<AsyncKinesisLeaseHeldException> {

		@Override
		protected FailureAnalysis analyze(Throwable rootFailure, AsyncKinesisLeaseHeldException cause) {
			return new FailureAnalysis(
					"The import of async-kinesis checkpoints (kinesis.checkpoint.import-from) was refused: "
							+ cause.getMessage(),
					"Stop the async-kinesis consumers of the group (a graceful close releases their leases) and "
							+ "start again, or set kinesis.checkpoint.import-force=true once they are stopped.",
					cause);
		}

	}

}
