package dev.kinesisboot.support;

import software.amazon.awssdk.core.SdkClient;

/**
 * A stream the application names does not exist where the client looks for it.
 */
public class StreamNotFoundException extends IllegalStateException {

	private final String streamName;

	private final String region;

	private final String endpoint;

	/**
	 * Creates an exception.
	 * @param streamName the stream
	 * @param client the client that looked, for its region and endpoint
	 * @param fix what to do, such as the property that creates the stream
	 * @param cause the AWS error
	 */
	public StreamNotFoundException(String streamName, SdkClient client, String fix, Throwable cause) {
		this(streamName, regionOf(client), endpointOf(client), fix, cause);
	}

	private StreamNotFoundException(String streamName, String region, String endpoint, String fix, Throwable cause) {
		super("Stream '" + streamName + "' not found in " + region + " (endpoint " + endpoint + "); " + fix, cause);
		this.streamName = streamName;
		this.region = region;
		this.endpoint = endpoint;
	}

	/**
	 * The stream.
	 * @return the stream name
	 */
	public String streamName() {
		return this.streamName;
	}

	/**
	 * The region the client used.
	 * @return the region
	 */
	public String region() {
		return this.region;
	}

	/**
	 * The endpoint the client used.
	 * @return the endpoint, or "the AWS default"
	 */
	public String endpoint() {
		return this.endpoint;
	}

	private static String regionOf(SdkClient client) {
		try {
			return String
				.valueOf(((software.amazon.awssdk.awscore.AwsClient) client).serviceClientConfiguration().region());
		}
		catch (RuntimeException ex) {
			return "the configured region";
		}
	}

	private static String endpointOf(SdkClient client) {
		try {
			return client.serviceClientConfiguration()
				.endpointOverride()
				.map(Object::toString)
				.orElse("the AWS default");
		}
		catch (RuntimeException ex) {
			return "the AWS default";
		}
	}

}
