package dev.kinesisboot.listener;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.kinesisboot.consumer.BatchListenerFailedException;
import dev.kinesisboot.record.KinesisRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.scheduling.annotation.Async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A listener that finishes later is waited for, so its record is not checkpointed before
 * it is handled; one that cannot be waited for is refused at start-up.
 */
class ListenerMethodAdapterTests {

	private static final PayloadConverter CONVERTER = new PayloadConverter(JsonMapper.builder().build());

	@Test
	void aListenerReturningAFutureIsDoneOnlyWhenTheFutureIs() throws Exception {
		Later later = new Later();
		adapter(later, "finishLater").invokeRecord(record("a"), null);
		// before the fix the call returned while the work was still to come
		assertThat(later.finished).isTrue();
	}

	@Test
	void aFutureThatFailsFailsTheCallWithItsCause() {
		assertThatThrownBy(() -> adapter(new Later(), "failLater").invokeRecord(record("a"), null))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("bad order");
	}

	@Test
	void anAsyncListenerThatReturnsNothingIsRefusedAtStartUp() {
		assertThatIllegalStateException().isThrownBy(() -> adapter(new Later(), "onAsync"))
			.withMessageContaining("Later.onAsync")
			.withMessageContaining("@Async")
			.withMessageContaining("CompletableFuture");
	}

	@Test
	void aRecordOfUnknownPayloadTypeGetsItsTextInsteadOfFailing() throws Exception {
		Untyped listener = new Untyped();
		adapter(listener, "onAnyRecord").invokeRecord(record("hello"), null);
		assertThat(listener.received).containsExactly("hello");
	}

	@Test
	void anObjectParameterGetsTheJsonValueOrElseTheText() throws Exception {
		Untyped listener = new Untyped();
		ListenerMethodAdapter adapter = adapter(listener, "onObject");
		adapter.invokeRecord(record("{\"orderId\":42}"), null);
		adapter.invokeRecord(record("plain words"), null);
		assertThat(listener.received).containsExactly(Map.of("orderId", 42), "plain words");
	}

	@Test
	void aTypeVariableIsResolvedAgainstTheBeansClass() throws Exception {
		OrderListener listener = new OrderListener();
		adapter(listener, "on").invokeRecord(record("{\"id\":\"o-1\",\"amount\":3}"), null);
		assertThat(listener.received).containsExactly(new Order("o-1", 3));
	}

	@Test
	void aListOfRecordsOutsideBatchModeFailsStartUp() {
		assertThatIllegalStateException().isThrownBy(() -> adapter(new Untyped(), "onRecords"))
			.withMessageContaining("Untyped.onRecords")
			.withMessageContaining("batch = \"true\"");
	}

	@Test
	void aBatchParameterDeclaredAsAConcreteListClassFailsStartUp() {
		Method method = method(new Untyped(), "onArrayList");
		assertThatIllegalStateException()
			.isThrownBy(() -> new ListenerMethodAdapter(new Untyped(), method, true, CONVERTER))
			.withMessageContaining("Untyped.onArrayList")
			.withMessageContaining("declare it as List<T>");
	}

	@Test
	void aBatchWithOneUnconvertibleRecordHandsOverTheOnesBeforeItAndNamesIt() throws Exception {
		Batches listener = new Batches();
		ListenerMethodAdapter adapter = new ListenerMethodAdapter(listener, method(listener, "onOrders"), true,
				CONVERTER);
		List<KinesisRecord<byte[]>> batch = List.of(record("{\"id\":\"o-1\",\"amount\":1}"),
				record("{\"id\":\"o-2\",\"amount\":2}"), record("not json"), record("{\"id\":\"o-4\",\"amount\":4}"));
		List<KinesisRecord<byte[]>> acknowledgedUpTo = new ArrayList<>();
		// before the fix the listener was never called and all four went to the error
		// handler as one failed batch
		assertThatThrownBy(() -> adapter.invokeBatch(batch, (last) -> {
			acknowledgedUpTo.add(last);
			return () -> {
			};
		})).isInstanceOfSatisfying(BatchListenerFailedException.class, (failed) -> {
			assertThat(failed.getIndex()).isEqualTo(2);
			assertThat(failed.getCause()).isInstanceOf(PayloadConversionException.class);
		});
		assertThat(listener.received).containsExactly(List.of(new Order("o-1", 1), new Order("o-2", 2)));
		assertThat(acknowledgedUpTo).containsExactly(batch.get(1));
	}

	@Test
	void aBatchWhoseFirstRecordIsUnconvertibleNamesItWithoutCallingTheListener() {
		Batches listener = new Batches();
		ListenerMethodAdapter adapter = new ListenerMethodAdapter(listener, method(listener, "onOrders"), true,
				CONVERTER);
		assertThatThrownBy(() -> adapter.invokeBatch(List.of(record("not json"), record("{}")), (last) -> null))
			.isInstanceOfSatisfying(BatchListenerFailedException.class,
					(failed) -> assertThat(failed.getIndex()).isZero());
		assertThat(listener.received).isEmpty();
	}

	private static ListenerMethodAdapter adapter(Object bean, String name) {
		return new ListenerMethodAdapter(bean, method(bean, name), false, CONVERTER);
	}

	private static Method method(Object bean, String name) {
		for (Class<?> type = bean.getClass(); type != null; type = type.getSuperclass()) {
			for (Method method : type.getDeclaredMethods()) {
				if (method.getName().equals(name) && !method.isBridge()) {
					return method;
				}
			}
		}
		throw new IllegalArgumentException(name);
	}

	private static KinesisRecord<byte[]> record(String data) {
		byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
		return new KinesisRecord<>("orders", "shardId-000000000000", "1", 0, "k", Instant.EPOCH, bytes, bytes);
	}

	record Order(String id, int amount) {
	}

	static class Untyped {

		final List<Object> received = new ArrayList<>();

		void onAnyRecord(KinesisRecord<?> record) {
			this.received.add(record.payload());
		}

		void onObject(Object value) {
			this.received.add(value);
		}

		void onRecords(List<KinesisRecord<Order>> records) {
		}

		void onArrayList(ArrayList<Order> orders) {
		}

	}

	static class Batches {

		final List<List<Order>> received = new ArrayList<>();

		void onOrders(List<Order> orders, Acknowledgement acknowledgement) {
			this.received.add(orders);
		}

	}

	abstract static class Base<T> {

		final List<T> received = new ArrayList<>();

		void on(T value) {
			this.received.add(value);
		}

	}

	static class OrderListener extends Base<Order> {

	}

	static class Later {

		final AtomicBoolean finished = new AtomicBoolean();

		CompletableFuture<Void> finishLater(String value) {
			return CompletableFuture.runAsync(() -> this.finished.set(true),
					CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
		}

		CompletableFuture<Void> failLater(String value) {
			return CompletableFuture.supplyAsync(() -> {
				throw new IllegalArgumentException("bad order");
			}, CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS));
		}

		@Async
		void onAsync(String value) {
		}

	}

}
