package dev.kinesisboot.producer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The partition keys that have a record in a PutRecords call not yet settled: with
 * ordering on, no other record of such a key is sent until the call is settled and any
 * refused record of it is back among its queue's retries. Not thread-safe.
 */
final class KeysInFlight {

	private final Map<String, Integer> counts = new HashMap<>();

	boolean isBusy(String partitionKey) {
		return this.counts.containsKey(partitionKey);
	}

	void hold(String partitionKey) {
		this.counts.merge(partitionKey, 1, Integer::sum);
	}

	void release(List<String> partitionKeys) {
		for (String key : partitionKeys) {
			this.counts.computeIfPresent(key, (k, count) -> (count > 1) ? count - 1 : null);
		}
	}

	int size() {
		return this.counts.size();
	}

}
