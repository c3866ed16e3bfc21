package dev.kinesisboot.producer;

/**
 * The shards one call's records went to, resolved to the map's own id instances: results
 * then share the map's ids instead of holding one parsed string per record, and a call
 * spans a few shards, so comparing with those already seen is cheaper than a map lookup
 * per record. Not thread-safe: one per call being settled.
 */
final class ShardIds {

	/** Most ids remembered before ids are looked up in the map. */
	private static final int REMEMBERED = 8;

	private final ShardMap shardMap;

	private final String[] seen = new String[REMEMBERED];

	private int count;

	private boolean unknown;

	ShardIds(ShardMap shardMap) {
		this.shardMap = shardMap;
	}

	/**
	 * The map's instance of a shard id from a response.
	 * @param shardId the id as parsed
	 * @return the map's equal id, or the given one when the map does not know it (or it
	 * is missing)
	 */
	String resolve(String shardId) {
		String known = (shardId != null) ? known(shardId) : null;
		if (known == null) {
			this.unknown = true;
			return shardId;
		}
		return known;
	}

	/**
	 * Whether an id resolved so far was one the map does not know.
	 * @return {@code true} when the map should be read again
	 */
	boolean sawUnknown() {
		return this.unknown;
	}

	private String known(String shardId) {
		for (int i = 0; i < this.count; i++) {
			if (this.seen[i].equals(shardId)) {
				return this.seen[i];
			}
		}
		String known = this.shardMap.knownId(shardId);
		if (known != null && this.count < REMEMBERED) {
			this.seen[this.count++] = known;
		}
		return known;
	}

}
