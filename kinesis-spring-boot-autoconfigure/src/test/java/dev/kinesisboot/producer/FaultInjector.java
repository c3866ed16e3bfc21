package dev.kinesisboot.producer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Injects the faults an emulator never produces into PutRecords calls, on a fixed
 * schedule over the first calls: entries refused with
 * ProvisionedThroughputExceededException or InternalFailure (taken out of the request so
 * Kinesis does not store them, and put back into the response as failures), connections
 * refused before sending, and responses lost after Kinesis stored the records (the one
 * case that may create duplicates).
 */
class FaultInjector implements ExecutionInterceptor {

	private static final ExecutionAttribute<List<Integer>> REMOVED = new ExecutionAttribute<>("removedEntries");

	private static final ExecutionAttribute<String> FAULT = new ExecutionAttribute<>("fault");

	final AtomicInteger throttledEntries = new AtomicInteger();

	final AtomicInteger internalFailures = new AtomicInteger();

	final AtomicInteger refusedCalls = new AtomicInteger();

	final AtomicInteger lostResponses = new AtomicInteger();

	final AtomicInteger recordsInLostResponses = new AtomicInteger();

	private final AtomicInteger calls = new AtomicInteger();

	private final int faultyCalls;

	FaultInjector(int faultyCalls) {
		this.faultyCalls = faultyCalls;
	}

	@Override
	public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
		if (!(context.request() instanceof PutRecordsRequest request)) {
			return context.request();
		}
		int call = this.calls.incrementAndGet();
		if (call > this.faultyCalls) {
			return request;
		}
		switch (call % 6) {
			case 1 -> attributes.putAttribute(FAULT, "ProvisionedThroughputExceededException");
			case 2 -> attributes.putAttribute(FAULT, "InternalFailure");
			case 3 -> attributes.putAttribute(FAULT, "refuse");
			case 4 -> attributes.putAttribute(FAULT, "lose");
			default -> {
				return request;
			}
		}
		String fault = attributes.getAttribute(FAULT);
		if (!fault.endsWith("Exception") && !fault.equals("InternalFailure")) {
			return request;
		}
		if (request.records().size() < 2) {
			return request;
		}
		// fail every other entry, keeping the first so the request is never empty
		List<Integer> removed = new ArrayList<>();
		List<PutRecordsRequestEntry> kept = new ArrayList<>();
		for (int i = 0; i < request.records().size(); i++) {
			if (i % 2 == 1) {
				removed.add(i);
			}
			else {
				kept.add(request.records().get(i));
			}
		}
		attributes.putAttribute(REMOVED, removed);
		(fault.equals("InternalFailure") ? this.internalFailures : this.throttledEntries).addAndGet(removed.size());
		return request.toBuilder().records(kept).build();
	}

	@Override
	public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
		if ("refuse".equals(attributes.getAttribute(FAULT))) {
			attributes.putAttribute(FAULT, "refused");
			this.refusedCalls.incrementAndGet();
			throw new UncheckedIOException(new IOException("injected: connection refused"));
		}
	}

	@Override
	public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
		if ("lose".equals(attributes.getAttribute(FAULT))) {
			attributes.putAttribute(FAULT, "lost");
			this.lostResponses.incrementAndGet();
			this.recordsInLostResponses.addAndGet(((PutRecordsRequest) context.request()).records().size());
			throw new UncheckedIOException(new IOException("injected: connection reset after the request was sent"));
		}
	}

	@Override
	public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
		List<Integer> removed = attributes.getAttribute(REMOVED);
		if (removed == null || !(context.response() instanceof PutRecordsResponse response)) {
			return context.response();
		}
		String code = attributes.getAttribute(FAULT);
		List<PutRecordsResultEntry> results = new ArrayList<>(response.records());
		for (int index : removed) {
			results.add(index,
					PutRecordsResultEntry.builder().errorCode(code).errorMessage("injected " + code).build());
		}
		int failed = (response.failedRecordCount() != null ? response.failedRecordCount() : 0) + removed.size();
		return response.toBuilder().records(results).failedRecordCount(failed).build();
	}

}
