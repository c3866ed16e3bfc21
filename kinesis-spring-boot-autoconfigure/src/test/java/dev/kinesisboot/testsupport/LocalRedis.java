package dev.kinesisboot.testsupport;

import java.net.URI;

/**
 * The Redis server the integration tests use.
 *
 * @param endpoint for example {@code redis://127.0.0.1:6380}
 */
public record LocalRedis(URI endpoint) {

	/**
	 * The host.
	 * @return the host name or address
	 */
	public String host() {
		return this.endpoint.getHost();
	}

	/**
	 * The port.
	 * @return the port
	 */
	public int port() {
		return this.endpoint.getPort();
	}

}
