package dev.kinesisboot.benchmarks;

import java.util.concurrent.atomic.LongAdder;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.kinesis.model.PutRecordRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;

/**
 * Counts the PutRecords and PutRecord calls the benchmark's client makes (retries
 * included), so that a run can say how many records went in each call: a scenario that
 * sends smaller batches pays the per-call cost (marshalling set-up, signing, HTTP) more
 * often per record.
 */
final class PutRecordsCounter implements ExecutionInterceptor {

	private final LongAdder calls = new LongAdder();

	@Override
	public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes executionAttributes) {
		if (context.request() instanceof PutRecordsRequest || context.request() instanceof PutRecordRequest) {
			this.calls.increment();
		}
	}

	/**
	 * The calls so far.
	 * @return put calls started through the client
	 */
	long calls() {
		return this.calls.sum();
	}

}
