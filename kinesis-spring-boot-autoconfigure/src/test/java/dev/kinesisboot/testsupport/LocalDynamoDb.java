package dev.kinesisboot.testsupport;

import java.net.URI;
import java.time.Duration;

import org.awaitility.Awaitility;

import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * The DynamoDB API the integration tests use.
 */
public final class LocalDynamoDb {

	private final URI endpoint;

	private final DynamoDbAsyncClient client;

	LocalDynamoDb(URI endpoint) {
		this.endpoint = endpoint;
		this.client = DynamoDbAsyncClient.builder()
			.endpointOverride(endpoint)
			.region(LocalKinesis.REGION)
			.credentialsProvider(LocalKinesis.CREDENTIALS)
			.build();
	}

	/**
	 * The endpoint.
	 * @return for example {@code http://127.0.0.1:8000}
	 */
	public URI endpoint() {
		return this.endpoint;
	}

	/**
	 * A client shared by the tests; do not close it.
	 * @return the shared client
	 */
	public DynamoDbAsyncClient client() {
		return this.client;
	}

	/**
	 * Waits until a table is ACTIVE.
	 * @param table the table name
	 */
	public void awaitActive(String table) {
		Awaitility.await("table " + table + " ACTIVE")
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> this.client.describeTable((request) -> request.tableName(table))
				.join()
				.table()
				.tableStatus() == TableStatus.ACTIVE);
	}

}
