package dev.kinesisboot.listener;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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

	private static ListenerMethodAdapter adapter(Object bean, String name) {
		for (Method method : bean.getClass().getDeclaredMethods()) {
			if (method.getName().equals(name)) {
				return new ListenerMethodAdapter(bean, method, false, CONVERTER);
			}
		}
		throw new IllegalArgumentException(name);
	}

	private static KinesisRecord<byte[]> record(String data) {
		byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
		return new KinesisRecord<>("orders", "shardId-000000000000", "1", 0, "k", Instant.EPOCH, bytes, bytes);
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
