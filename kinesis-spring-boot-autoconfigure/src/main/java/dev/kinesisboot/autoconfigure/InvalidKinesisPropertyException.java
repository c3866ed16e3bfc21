package dev.kinesisboot.autoconfigure;

/**
 * A {@code kinesis.*} property has a value the starter cannot work with; the failure
 * analyzer turns it into a readable start-up failure.
 */
public class InvalidKinesisPropertyException extends RuntimeException {

	private final String property;

	private final Object value;

	private final String reason;

	/**
	 * Creates an exception.
	 * @param property the property, such as {@code kinesis.producer.max-batch-records}
	 * @param value its value
	 * @param reason why it does not work and what would
	 */
	public InvalidKinesisPropertyException(String property, Object value, String reason) {
		super("Invalid value '" + value + "' for " + property + ": " + reason);
		this.property = property;
		this.value = value;
		this.reason = reason;
	}

	/**
	 * @return the property
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * @return the value
	 */
	public Object getValue() {
		return this.value;
	}

	/**
	 * @return why it does not work
	 */
	public String getReason() {
		return this.reason;
	}

}
