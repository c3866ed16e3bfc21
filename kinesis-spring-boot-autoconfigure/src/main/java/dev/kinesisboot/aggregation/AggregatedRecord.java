package dev.kinesisboot.aggregation;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Kinesis record ready to put, built by {@link RecordAggregator} from one or more user
 * records. With two or more it is in the KPL aggregated format; with one it is that user
 * record as it is (as the KPL does), which every consumer can read.
 *
 * @param partitionKey the partition key to put it with: that of its first user record
 * @param explicitHashKey the explicit hash key to put it with, which sends it to the
 * shard of its first user record; {@code null} for a lone user record without one
 * @param data the bytes to put
 * @param userRecordCount how many user records it holds
 */
public record AggregatedRecord(String partitionKey, String explicitHashKey, byte[] data, int userRecordCount) {

	/**
	 * Whether it is in the aggregated format (holds more than one user record).
	 * @return {@code true} when aggregated
	 */
	public boolean isAggregated() {
		return this.userRecordCount > 1;
	}

	/**
	 * Its size as Kinesis counts it against the 1 MiB record limit: data plus partition
	 * key.
	 * @return the size in bytes
	 */
	public int size() {
		return this.data.length + this.partitionKey.getBytes(StandardCharsets.UTF_8).length;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof AggregatedRecord that && this.userRecordCount == that.userRecordCount
				&& this.partitionKey.equals(that.partitionKey)
				&& Objects.equals(this.explicitHashKey, that.explicitHashKey) && Arrays.equals(this.data, that.data);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.partitionKey, this.explicitHashKey, Arrays.hashCode(this.data), this.userRecordCount);
	}

	@Override
	public String toString() {
		return "AggregatedRecord[key=" + this.partitionKey + ", " + this.userRecordCount + " user records, "
				+ this.data.length + " bytes]";
	}

}
