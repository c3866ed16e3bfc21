package dev.kinesisboot.listener;

import java.lang.reflect.Type;
import java.util.Base64;

/**
 * A record's data could not be turned into the type the listener asks for. Retrying does
 * not help; the container's error handler sends it to the dead-letter stream or logs and
 * skips it.
 */
public class PayloadConversionException extends RuntimeException {

	private final transient byte[] data;

	/**
	 * Creates an exception.
	 * @param data the raw record data
	 * @param target the type asked for
	 * @param cause the conversion error
	 */
	public PayloadConversionException(byte[] data, Type target, Throwable cause) {
		super("Could not convert a record of " + data.length + " bytes to " + target.getTypeName() + ": "
				+ cause.getMessage() + " (data, base64: " + preview(data) + ")", cause);
		this.data = data;
	}

	/**
	 * The raw record data.
	 * @return the bytes
	 */
	public byte[] data() {
		return this.data;
	}

	private static String preview(byte[] data) {
		String encoded = Base64.getEncoder().encodeToString(data);
		return (encoded.length() > 200) ? encoded.substring(0, 200) + "..." : encoded;
	}

}
