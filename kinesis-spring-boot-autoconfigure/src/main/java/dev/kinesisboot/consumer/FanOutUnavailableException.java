package dev.kinesisboot.consumer;

/**
 * Enhanced fan-out could not be set up for a stream: its stream consumer could not be
 * registered or described (usually missing permissions). The message says which
 * permissions are needed and that {@link ConsumerMode#POLLING} needs none of them.
 */
public class FanOutUnavailableException extends IllegalStateException {

	/**
	 * Creates an exception.
	 * @param message what failed and how to fix it
	 * @param cause the AWS error
	 */
	public FanOutUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
