package dev.kinesisboot.consumer;

import java.util.Map;
import java.util.TreeMap;

import dev.kinesisboot.checkpoint.dynamodb.DynamoDbCheckpointer;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * What a DynamoDB server says the lease store's requests cost: adds
 * {@code ReturnConsumedCapacity=TOTAL} to every item request of the client it is added
 * to, and sums the {@code ConsumedCapacity} of the answers, per kind of request (told
 * apart by the partition key and update expression {@link DynamoDbCheckpointer} sends)
 * and per partition key. Requests whose condition failed are counted as refused; the
 * server returns no capacity for them. Also sums each call's time from the client's call
 * to its answer ({@code latency ms}, over {@code answers}). Thread-safe.
 */
final class DynamoDbCapacityMeter implements ExecutionInterceptor {

	/** Read units, then the partition key. */
	static final String RCU_KEY = "RCU ";

	/** Write units, then the partition key. */
	static final String WCU_KEY = "WCU ";

	private static final ExecutionAttribute<Long> STARTED = new ExecutionAttribute<>("loadcheck.started");

	private final Map<String, Double> counts = new TreeMap<>();

	@Override
	public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes executionAttributes) {
		executionAttributes.putAttribute(STARTED, System.nanoTime());
	}

	@Override
	public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes executionAttributes) {
		SdkRequest request = context.request();
		ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
		if (request instanceof QueryRequest query) {
			return query.toBuilder().returnConsumedCapacity(total).build();
		}
		if (request instanceof GetItemRequest get) {
			return get.toBuilder().returnConsumedCapacity(total).build();
		}
		if (request instanceof UpdateItemRequest update) {
			return update.toBuilder().returnConsumedCapacity(total).build();
		}
		if (request instanceof DeleteItemRequest delete) {
			return delete.toBuilder().returnConsumedCapacity(total).build();
		}
		if (request instanceof PutItemRequest put) {
			return put.toBuilder().returnConsumedCapacity(total).build();
		}
		return request;
	}

	@Override
	public void afterExecution(Context.AfterExecution context, ExecutionAttributes executionAttributes) {
		SdkRequest request = context.request();
		SdkResponse response = context.response();
		String kind = kind(request);
		if (kind == null) {
			return;
		}
		String key = partitionKey(request);
		ConsumedCapacity capacity = null;
		long itemsRead = 0;
		long itemsWritten = 0;
		boolean read = false;
		if (response instanceof QueryResponse query) {
			capacity = query.consumedCapacity();
			itemsRead = query.count();
			read = true;
		}
		else if (response instanceof GetItemResponse get) {
			capacity = get.consumedCapacity();
			itemsRead = (get.hasItem() && !get.item().isEmpty()) ? 1 : 0;
			read = true;
		}
		else if (response instanceof UpdateItemResponse update) {
			capacity = update.consumedCapacity();
			itemsWritten = 1;
		}
		else if (response instanceof DeleteItemResponse delete) {
			capacity = delete.consumedCapacity();
			itemsWritten = 1;
		}
		else if (response instanceof PutItemResponse put) {
			capacity = put.consumedCapacity();
			itemsWritten = 1;
		}
		double units = (capacity != null && capacity.capacityUnits() != null) ? capacity.capacityUnits() : 0;
		double millis = millisSince(executionAttributes);
		synchronized (this) {
			add(kind, 1);
			add("answers", 1);
			add("latency ms", millis);
			add("latency ms " + kind, millis);
			add("items read", itemsRead);
			add("items written", itemsWritten);
			add(read ? "RCU" : "WCU", units);
			add((read ? RCU_KEY : WCU_KEY) + key, units);
			if (capacity == null) {
				add("answers without ConsumedCapacity", 1);
			}
		}
	}

	@Override
	public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes executionAttributes) {
		String kind = kind(context.request());
		if (kind == null) {
			return;
		}
		double millis = millisSince(executionAttributes);
		synchronized (this) {
			add(kind, 1);
			add("answers", 1);
			add("latency ms", millis);
			add((context.exception() instanceof ConditionalCheckFailedException) ? "refused" : "failed", 1);
		}
	}

	/**
	 * The counts so far.
	 * @return per name: requests of a kind ({@code Query lease}, {@code Query beat},
	 * {@code GetItem}, {@code UpdateItem take}, ...), {@code refused}, {@code failed},
	 * {@code items read}, {@code items written}, {@code RCU}, {@code WCU}, and units per
	 * partition key ({@code RCU key}, {@code WCU key})
	 */
	synchronized Map<String, Double> snapshot() {
		return new TreeMap<>(this.counts);
	}

	private static double millisSince(ExecutionAttributes executionAttributes) {
		Long started = executionAttributes.getAttribute(STARTED);
		return (started != null) ? (System.nanoTime() - started) / 1e6 : 0;
	}

	private void add(String name, double amount) {
		this.counts.merge(name, amount, Double::sum);
	}

	private static String kind(SdkRequest request) {
		String key = partitionKey(request);
		if (key == null) {
			return null;
		}
		boolean workers = key.endsWith("#workers");
		if (request instanceof QueryRequest query) {
			if (workers) {
				return "Query beat";
			}
			// the check for leases of an earlier layout, once per worker at its start
			return (query.limit() != null) ? "Query layout" : "Query lease";
		}
		if (request instanceof GetItemRequest) {
			return key.endsWith("#layout") ? "GetItem layout" : "GetItem";
		}
		if (request instanceof PutItemRequest) {
			return "PutItem layout";
		}
		if (request instanceof DeleteItemRequest) {
			return "DeleteItem beat";
		}
		if (request instanceof UpdateItemRequest update) {
			if (workers) {
				return "UpdateItem beat";
			}
			String expression = update.updateExpression();
			if (expression.startsWith("SET #cp")) {
				return "UpdateItem checkpoint";
			}
			if (expression.startsWith("REMOVE #owner")) {
				return "UpdateItem release";
			}
			if (expression.startsWith("SET #owner")) {
				return "UpdateItem take";
			}
			return "UpdateItem renew";
		}
		return null;
	}

	private static String partitionKey(SdkRequest request) {
		Map<String, AttributeValue> key = null;
		if (request instanceof QueryRequest query) {
			AttributeValue value = query.expressionAttributeValues().get(":sk");
			return (value != null) ? value.s() : null;
		}
		if (request instanceof GetItemRequest get) {
			key = get.key();
		}
		else if (request instanceof UpdateItemRequest update) {
			key = update.key();
		}
		else if (request instanceof DeleteItemRequest delete) {
			key = delete.key();
		}
		else if (request instanceof PutItemRequest put) {
			key = put.item();
		}
		AttributeValue value = (key != null) ? key.get(DynamoDbCheckpointer.STREAM_KEY) : null;
		return (value != null) ? value.s() : null;
	}

}
