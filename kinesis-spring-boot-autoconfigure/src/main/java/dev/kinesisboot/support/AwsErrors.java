package dev.kinesisboot.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

/**
 * Classifies errors of AWS calls into the {@code error_type} label values of the metrics:
 * the AWS error code, or {@code connection}, {@code timeout}, {@code unknown}; and says
 * which are worth a retry.
 */
public final class AwsErrors {

	/** Kinesis refused the record or call because the shard's throughput was exceeded. */
	public static final String THROTTLED = "ProvisionedThroughputExceededException";

	/** A Kinesis-side failure of one entry, worth a retry. */
	public static final String INTERNAL_FAILURE = "InternalFailure";

	/** The network failed (refused, reset, closed) before an answer came. */
	public static final String CONNECTION = "connection";

	/** No answer came in time. */
	public static final String TIMEOUT = "timeout";

	/** Anything else without an AWS error code. */
	public static final String UNKNOWN = "unknown";

	private static final Set<String> RETRYABLE_CODES = Set.of(THROTTLED, INTERNAL_FAILURE, "ServiceUnavailable",
			"ServiceUnavailableException", "InternalFailureException", "InternalServerError", "LimitExceededException",
			"KMSThrottlingException", "ThrottlingException", "RequestTimeout", "RequestTimeoutException");

	private AwsErrors() {
	}

	/**
	 * The error type of a failure.
	 * @param error the failure, possibly wrapped in {@link CompletionException}
	 * @return the AWS error code, or connection, timeout, unknown
	 */
	public static String errorType(Throwable error) {
		Throwable cause = unwrap(error);
		if (cause instanceof AwsServiceException service && service.awsErrorDetails() != null
				&& service.awsErrorDetails().errorCode() != null) {
			return service.awsErrorDetails().errorCode();
		}
		for (Throwable t = cause; t != null; t = t.getCause()) {
			if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException
					|| t instanceof TimeoutException || t instanceof SocketTimeoutException
					|| t.getClass().getSimpleName().contains("Timeout")) {
				return TIMEOUT;
			}
		}
		for (Throwable t = cause; t != null; t = t.getCause()) {
			if (t instanceof IOException || t instanceof UncheckedIOException) {
				return CONNECTION;
			}
		}
		return UNKNOWN;
	}

	/**
	 * Whether a failed call is worth sending again: network failures, timeouts,
	 * throttling and server-side (5xx) errors.
	 * @param error the failure, possibly wrapped
	 * @return {@code true} when a retry may succeed
	 */
	public static boolean isRetryable(Throwable error) {
		Throwable cause = unwrap(error);
		if (cause instanceof AwsServiceException service) {
			return service.statusCode() >= 500 || service.isThrottlingException()
					|| isRetryableCode(errorType(service));
		}
		String type = errorType(cause);
		return CONNECTION.equals(type) || TIMEOUT.equals(type);
	}

	/**
	 * Whether an error code of one entry is worth a retry.
	 * @param errorCode the code
	 * @return {@code true} for throttling and internal failures
	 */
	public static boolean isRetryableCode(String errorCode) {
		return RETRYABLE_CODES.contains(errorCode);
	}

	/**
	 * The failure inside {@link CompletionException} and {@link ExecutionException}
	 * wrappers.
	 * @param error the failure
	 * @return the innermost wrapped failure
	 */
	public static Throwable unwrap(Throwable error) {
		Throwable cause = error;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

}
