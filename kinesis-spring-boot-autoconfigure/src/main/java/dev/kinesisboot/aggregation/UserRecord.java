package dev.kinesisboot.aggregation;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record as the application put it, before aggregation or after de-aggregation.
 *
 * @param partitionKey its partition key
 * @param explicitHashKey its explicit hash key (a decimal 128-bit number), or
 * {@code null} when its partition key decides the shard
 * @param data its bytes
 */
public record UserRecord(String partitionKey, String explicitHashKey, byte[] data) {

	public UserRecord {
		Objects.requireNonNull(partitionKey, "partitionKey");
		Objects.requireNonNull(data, "data");
	}

	/**
	 * A user record routed by its partition key.
	 * @param partitionKey the partition key
	 * @param data the bytes
	 * @return the user record
	 */
	public static UserRecord of(String partitionKey, byte[] data) {
		return new UserRecord(partitionKey, null, data);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof UserRecord that && this.partitionKey.equals(that.partitionKey)
				&& Objects.equals(this.explicitHashKey, that.explicitHashKey) && Arrays.equals(this.data, that.data);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.partitionKey, this.explicitHashKey, Arrays.hashCode(this.data));
	}

	@Override
	public String toString() {
		return "UserRecord[key=" + this.partitionKey
				+ ((this.explicitHashKey != null) ? ", explicitHashKey=" + this.explicitHashKey : "") + ", "
				+ this.data.length + " bytes]";
	}

}
