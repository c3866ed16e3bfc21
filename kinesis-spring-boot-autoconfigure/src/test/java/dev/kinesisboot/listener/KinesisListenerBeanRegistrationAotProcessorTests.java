package dev.kinesisboot.listener;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.kinesisboot.record.KinesisRecord;
import org.junit.jupiter.api.Test;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.TypeHint;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.ReflectionHintsPredicates;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationCode;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * The AOT processor registers what a native image needs for {@code @KinesisListener}
 * methods: invoking the methods, and binding their payload types with Jackson.
 */
class KinesisListenerBeanRegistrationAotProcessorTests {

	private static final ReflectionHintsPredicates reflection = RuntimeHintsPredicates.reflection();

	private final RuntimeHints hints = new RuntimeHints();

	@Test
	void listenerMethodsCanBeInvoked() {
		process(OrderListeners.class);
		assertThat(this.hints).matches(reflection.onMethodInvocation(OrderListeners.class, "onOrder"))
			.matches(reflection.onMethodInvocation(OrderListeners.class, "onShipment"))
			.matches(reflection.onMethodInvocation(OrderListeners.class, "onInvoices"))
			.matches(reflection.onMethodInvocation(OrderListeners.class, "onAudits"))
			.matches(reflection.onMethodInvocation(OrderListeners.class, "notAListener").negate());
	}

	@Test
	void plainPayloadTypeIsBoundWithTheTypesItHolds() {
		process(OrderListeners.class);
		assertThat(this.hints).matches(reflection.onType(OrderDto.class))
			.matches(reflection.onMethodInvocation(OrderDto.class, "orderId"))
			.matches(reflection.onType(Customer.class))
			.matches(reflection.onMethodInvocation(Customer.class, "name"));
	}

	@Test
	void payloadOfARecordOfABatchOfAMapAndOfACollectionClassIsBound() {
		process(OrderListeners.class);
		assertThat(this.hints).matches(reflection.onType(Shipment.class))
			.matches(reflection.onType(Invoice.class))
			.matches(reflection.onType(Audit.class))
			.matches(reflection.onType(Parcels.class))
			.matches(reflection.onType(Parcel.class))
			.matches(reflection.onType(Acknowledgement.class).negate())
			.matches(reflection.onType(KinesisRecord.class).negate())
			.matches(reflection.onType(Unrelated.class).negate());
	}

	@Test
	void batchOfRecordsBindsTheRecordsPayload() {
		process(RefundRecordsListener.class);
		assertThat(this.hints).matches(reflection.onMethodInvocation(RefundRecordsListener.class, "onRefunds"))
			.matches(reflection.onType(Refund.class))
			.matches(reflection.onType(KinesisRecord.class).negate());
	}

	@Test
	void inheritedListenerBindsThePayloadTypeOfTheBeansClass() {
		process(RefundListener.class);
		assertThat(this.hints).matches(reflection.onMethodInvocation(TypedListener.class, "on"))
			.matches(reflection.onType(Refund.class));
	}

	@Test
	void dataThatNeedsNoBindingGetsNoHints() {
		process(RawListeners.class);
		assertThat(this.hints.reflection().typeHints().map(TypeHint::getType))
			.containsExactly(TypeReference.of(RawListeners.class));
		assertThat(this.hints).matches(reflection.onMethodInvocation(RawListeners.class, "onBytes"))
			.matches(reflection.onMethodInvocation(RawListeners.class, "onAnyRecord"));
	}

	@Test
	void beanWithoutListenersIsLeftAlone() {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("plain", new RootBeanDefinition(Unrelated.class));
		assertThat(new KinesisListenerBeanRegistrationAotProcessor()
			.processAheadOfTime(RegisteredBean.of(beanFactory, "plain"))).isNull();
	}

	@Test
	void aheadOfTimeProcessingOfAContextFindsTheProcessorInAotFactories() {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			context.registerBean("orders", OrderListeners.class);
			new ApplicationContextAotGenerator().processAheadOfTime(context, generationContext());
		}
		assertThat(this.hints).matches(reflection.onMethodInvocation(OrderListeners.class, "onOrder"))
			.matches(reflection.onType(OrderDto.class));
	}

	private void process(Class<?> beanClass) {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("listener", new RootBeanDefinition(beanClass));
		BeanRegistrationAotContribution contribution = new KinesisListenerBeanRegistrationAotProcessor()
			.processAheadOfTime(RegisteredBean.of(beanFactory, "listener"));
		assertThat(contribution).isNotNull();
		contribution.applyTo(generationContext(), mock(BeanRegistrationCode.class));
	}

	private DefaultGenerationContext generationContext() {
		return new DefaultGenerationContext(new ClassNameGenerator(ClassName.get("dev.kinesisboot.aot", "Test")),
				new InMemoryGeneratedFiles(), this.hints);
	}

	record OrderDto(String orderId, Customer customer, BigDecimal amount) {
	}

	record Customer(String name) {
	}

	record Shipment(String id) {
	}

	record Invoice(String id) {
	}

	record Audit(String id) {
	}

	record Refund(String id) {
	}

	record Parcel(String id) {
	}

	static class Parcels extends ArrayList<Parcel> {

	}

	record Unrelated(String id) {
	}

	static class OrderListeners {

		@KinesisListener(streams = "orders")
		void onOrder(OrderDto order) {
		}

		@KinesisListener(streams = "shipments", checkpointMode = "MANUAL")
		void onShipment(KinesisRecord<Shipment> record, Acknowledgement acknowledgement) {
		}

		@KinesisListener(streams = "invoices", batch = "true")
		void onInvoices(List<Invoice> invoices) {
		}

		@KinesisListener(streams = "audits")
		void onAudits(Map<String, Audit> audits) {
		}

		@KinesisListener(streams = "parcels")
		void onParcels(Parcels parcels) {
		}

		void notAListener(Unrelated unrelated) {
		}

	}

	static class RefundRecordsListener {

		@KinesisListener(streams = "refunds", batch = "true")
		void onRefunds(List<KinesisRecord<Refund>> refunds) {
		}

	}

	abstract static class TypedListener<T> {

		@KinesisListener(streams = "typed")
		void on(T payload) {
		}

	}

	static class RefundListener extends TypedListener<Refund> {

	}

	static class RawListeners {

		@KinesisListener(streams = "bytes")
		void onBytes(byte[] data) {
		}

		@KinesisListener(streams = "text")
		void onText(String text) {
		}

		@KinesisListener(streams = "buffers")
		void onBuffer(ByteBuffer buffer) {
		}

		@KinesisListener(streams = "anything")
		void onAnything(Object value) {
		}

		@KinesisListener(streams = "records")
		void onAnyRecord(KinesisRecord<?> record) {
		}

	}

}
