package dev.kinesisboot.testsupport;

import java.util.UUID;

/**
 * Unique names for streams, tables and keys, so tests can share one server.
 */
public final class TestNames {

	private TestNames() {
	}

	/**
	 * A name made of a prefix and a random suffix, valid as a stream, table or key name.
	 * @param prefix what the name is for, such as {@code orders}
	 * @return for example {@code orders-3f9c2a1b7d}
	 */
	public static String unique(String prefix) {
		return prefix + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
	}

}
