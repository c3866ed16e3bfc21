package dev.kinesisboot.listener;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.kinesisboot.consumer.BatchHandler;
import dev.kinesisboot.consumer.RecordHandler;
import dev.kinesisboot.record.KinesisRecord;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each listener call, through the method adapter as a container makes it, is one
 * observation; what the listener throws is recorded and reaches error handling unchanged.
 */
class ListenerObservationTests {

	private static final PayloadConverter CONVERTER = new PayloadConverter(JsonMapper.builder().build());

	private final TestObservationRegistry registry = TestObservationRegistry.create();

	private final Listener listener = new Listener();

	@Test
	void eachRecordCallIsObservedWithTheListenersKeyValues() throws Exception {
		RecordHandler handler = observed(null).records(recordHandler("onOrder"));

		handler.handle(record("7", "{\"id\":\"o-1\"}"));

		assertThat(this.listener.orders).containsExactly(new Order("o-1"));
		assertThat(this.registry).hasSingleObservationThat()
			.hasNameEqualTo("kinesis.listener")
			.hasContextualNameEqualTo("orders process")
			.hasBeenStopped()
			.doesNotHaveError()
			.hasLowCardinalityKeyValue("messaging.system", "kinesis")
			.hasLowCardinalityKeyValue("messaging.operation", "process")
			.hasLowCardinalityKeyValue("messaging.destination.name", "orders")
			.hasLowCardinalityKeyValue("messaging.consumer.group.name", "billing")
			.hasLowCardinalityKeyValue("listener.id", "order-listener")
			.hasLowCardinalityKeyValue("outcome", "SUCCESS")
			.hasLowCardinalityKeyValue("exception", "none")
			.hasHighCardinalityKeyValue("messaging.destination.partition.id", "shardId-000000000001")
			.hasHighCardinalityKeyValue("messaging.message.id", "7")
			.doesNotHaveHighCardinalityKeyValueWithKey("messaging.batch.message_count");
	}

	@Test
	void aListenerThatThrowsIsObservedAsFailedAndErrorHandlingSeesTheSameException() {
		RecordHandler handler = observed(null).records(recordHandler("onOrder"));
		KinesisRecord<byte[]> poison = record("8", "{\"id\":\"poison\"}");

		assertThatThrownBy(() -> handler.handle(poison)).isSameAs(this.listener.failure);
		assertThat(this.registry).hasSingleObservationThat()
			.hasBeenStopped()
			.hasError(this.listener.failure)
			.hasLowCardinalityKeyValue("outcome", "FAILURE")
			.hasLowCardinalityKeyValue("exception", "IllegalStateException");
	}

	@Test
	void aRecordThatCannotBeConvertedIsAFailedCall() {
		RecordHandler handler = observed(null).records(recordHandler("onOrder"));

		assertThatThrownBy(() -> handler.handle(record("9", "not json")))
			.isInstanceOf(PayloadConversionException.class);
		assertThat(this.registry).hasSingleObservationThat()
			.hasLowCardinalityKeyValue("exception", "PayloadConversionException");
	}

	@Test
	void aBatchIsOneObservationWithItsSize() throws Exception {
		ListenerMethodAdapter adapter = new ListenerMethodAdapter(this.listener,
				Listener.class.getDeclaredMethod("onBatch", List.class), true, CONVERTER);
		BatchHandler handler = observed(null).batches((records) -> adapter.invokeBatch(records, null));

		handler.handle(
				List.of(record("1", "{\"id\":\"a\"}"), record("2", "{\"id\":\"b\"}"), record("3", "{\"id\":\"c\"}")));

		assertThat(this.listener.orders).hasSize(3);
		assertThat(this.registry).hasSingleObservationThat()
			.hasLowCardinalityKeyValue("outcome", "SUCCESS")
			.hasHighCardinalityKeyValue("messaging.batch.message_count", "3")
			.hasHighCardinalityKeyValue("messaging.destination.partition.id", "shardId-000000000001")
			.doesNotHaveHighCardinalityKeyValueWithKey("messaging.message.id");
	}

	@Test
	void theListenerRunsInsideItsObservation() throws Exception {
		List<Observation> current = new ArrayList<>();
		observed(null).records((record) -> current.add(this.registry.getCurrentObservation()))
			.handle(record("1", "{}"));

		assertThat(current).singleElement()
			.satisfies((observation) -> assertThat(observation.getContext().getName()).isEqualTo("kinesis.listener"));
		assertThat(this.registry.getCurrentObservation()).isNull();
	}

	@Test
	void aConventionOfTheApplicationReplacesTheDefault() throws Exception {
		KinesisListenerObservationConvention convention = new DefaultKinesisListenerObservationConvention() {

			@Override
			public KeyValues getLowCardinalityKeyValues(KinesisListenerObservationContext context) {
				return super.getLowCardinalityKeyValues(context).and("tenant",
						context.getRecords().get(0).partitionKey());
			}

		};

		observed(convention).records(recordHandler("onOrder")).handle(record("1", "{\"id\":\"o-2\"}"));

		assertThat(this.registry).hasSingleObservationThat()
			.hasLowCardinalityKeyValue("tenant", "acme")
			.hasLowCardinalityKeyValue("listener.id", "order-listener");
	}

	@Test
	void withTheNoOpRegistryTheHandlersAreLeftAsTheyAre() {
		ObservedHandlers noOp = new ObservedHandlers(ObservationRegistry.NOOP, null, "order-listener", "orders",
				"billing");
		RecordHandler records = (record) -> {
		};
		BatchHandler batches = (batch) -> {
		};

		assertThat(noOp.records(records)).isSameAs(records);
		assertThat(noOp.batches(batches)).isSameAs(batches);
	}

	private ObservedHandlers observed(KinesisListenerObservationConvention convention) {
		return new ObservedHandlers(this.registry, convention, "order-listener", "orders", "billing");
	}

	private RecordHandler recordHandler(String method) {
		try {
			ListenerMethodAdapter adapter = new ListenerMethodAdapter(this.listener,
					Listener.class.getDeclaredMethod(method, Order.class), false, CONVERTER);
			return (record) -> adapter.invokeRecord(record, null);
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static KinesisRecord<byte[]> record(String sequenceNumber, String data) {
		byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
		return new KinesisRecord<>("orders", "shardId-000000000001", sequenceNumber, 0, "acme", Instant.EPOCH, bytes,
				bytes);
	}

	record Order(String id) {
	}

	static class Listener {

		final List<Order> orders = new ArrayList<>();

		final IllegalStateException failure = new IllegalStateException("poison order");

		void onOrder(Order order) {
			if (order.id().equals("poison")) {
				throw this.failure;
			}
			this.orders.add(order);
		}

		void onBatch(List<Order> batch) {
			this.orders.addAll(batch);
		}

	}

}
