package dev.kinesisboot.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * A server the integration tests talk to, with the environment variable that overrides
 * its endpoint and the default that {@code scripts/start-local-servers.sh} starts.
 */
public enum LocalServer {

	/** The Kinesis API (kinesis-local). */
	KINESIS("Kinesis API (kinesis-local)", "KINESIS_ENDPOINT", "http://127.0.0.1:4567"),

	/** The DynamoDB API (dynalite). */
	DYNAMODB("DynamoDB API (dynalite)", "DYNAMODB_ENDPOINT", "http://127.0.0.1:8000"),

	/** Redis (redis-server). */
	REDIS("Redis (redis-server)", "REDIS_URL", "redis://127.0.0.1:6380");

	static final String START_HINT = "start it with 'bash scripts/start-local-servers.sh' "
			+ "(or run the tests through 'bash .ci/run', which starts and stops everything)";

	private final String description;

	private final String environmentVariable;

	private final String defaultEndpoint;

	LocalServer(String description, String environmentVariable, String defaultEndpoint) {
		this.description = description;
		this.environmentVariable = environmentVariable;
		this.defaultEndpoint = defaultEndpoint;
	}

	/**
	 * The endpoint from the environment variable, else the default.
	 * @return the endpoint URI
	 */
	public URI endpoint() {
		String value = System.getenv(this.environmentVariable);
		return URI.create((value != null && !value.isBlank()) ? value : this.defaultEndpoint);
	}

	String description() {
		return this.description;
	}

	String environmentVariable() {
		return this.environmentVariable;
	}

	/**
	 * Whether something accepts TCP connections at the endpoint.
	 * @param endpoint the endpoint to probe
	 * @return {@code true} when a connection succeeds within a second
	 */
	static boolean answers(URI endpoint) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 1000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
