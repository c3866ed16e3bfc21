package dev.kinesisboot.producer;

/**
 * A record Kinesis did not accept for good: the error was not retryable, or the record
 * ran out of attempts or time. The future of the record fails with it.
 */
public class KinesisPutException extends RuntimeException {

	private final String errorCode;

	private final int attempts;

	/**
	 * Creates an exception.
	 * @param message what happened and what to do
	 * @param errorCode the AWS error code, or {@code connection}, {@code timeout},
	 * {@code unknown}
	 * @param attempts how many times the record was sent
	 * @param cause the underlying error, may be {@code null}
	 */
	public KinesisPutException(String message, String errorCode, int attempts, Throwable cause) {
		super(message, cause);
		this.errorCode = errorCode;
		this.attempts = attempts;
	}

	/**
	 * The AWS error code, or {@code connection}, {@code timeout}, {@code unknown}.
	 * @return the error code
	 */
	public String errorCode() {
		return this.errorCode;
	}

	/**
	 * How many times the record was sent.
	 * @return the attempts
	 */
	public int attempts() {
		return this.attempts;
	}

}
