package dev.kinesisboot.checkpoint;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Worker ids that are unique per consumer instance: the host name plus a random suffix. A
 * PID alone is not enough (it is 1 in every container).
 */
public final class WorkerIds {

	private WorkerIds() {
	}

	/**
	 * A new worker id.
	 * @return for example {@code ip-10-0-0-12-3f9a2c1b}
	 */
	public static String generate() {
		String host;
		try {
			host = InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			host = "worker";
		}
		byte[] random = new byte[4];
		ThreadLocalRandom.current().nextBytes(random);
		return host + "-" + HexFormat.of().formatHex(random);
	}

}
