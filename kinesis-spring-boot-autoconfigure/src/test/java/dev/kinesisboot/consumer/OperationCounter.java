package dev.kinesisboot.consumer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Counts the Kinesis calls a client makes, by operation ({@code GetRecords},
 * {@code SubscribeToShard}, ...), so tests can tell which API a consumer used.
 */
class OperationCounter implements ExecutionInterceptor {

	private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

	@Override
	public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
		String operation = context.request().getClass().getSimpleName().replaceFirst("Request$", "");
		this.calls.computeIfAbsent(operation, (key) -> new AtomicInteger()).incrementAndGet();
	}

	int count(String operation) {
		AtomicInteger count = this.calls.get(operation);
		return (count != null) ? count.get() : 0;
	}

}
