package dev.kinesisboot.autoconfigure;

import dev.kinesisboot.listener.DefaultKinesisListenerContainerFactory;
import dev.kinesisboot.listener.DefaultKinesisListenerObservationConvention;
import dev.kinesisboot.listener.KinesisListenerObservationConvention;
import dev.kinesisboot.producer.DefaultKinesisTemplateObservationConvention;
import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.producer.KinesisTemplateObservationConvention;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Observations are switched on as spring-kafka's are: by a property per side, and only
 * when the application has an {@link ObservationRegistry}.
 */
class KinesisObservationAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KinesisAutoConfiguration.class,
				KinesisCheckpointAutoConfiguration.class, KinesisListenerAutoConfiguration.class))
		.withPropertyValues("kinesis.region=us-east-1", "kinesis.endpoint=http://127.0.0.1:1",
				"kinesis.credentials.access-key=local", "kinesis.credentials.secret-key=local");

	@Test
	void observationsAreOffByDefaultEvenWithARegistry() {
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create).run((context) -> {
			assertThat(templateRegistry(context)).isSameAs(ObservationRegistry.NOOP);
			assertThat(listenerRegistry(context)).isSameAs(ObservationRegistry.NOOP);
		});
	}

	@Test
	void eachPropertyTurnsItsSideOnWhenARegistryExists() {
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withPropertyValues("kinesis.producer.observation-enabled=true")
			.run((context) -> {
				assertThat(templateRegistry(context)).isSameAs(context.getBean(ObservationRegistry.class));
				assertThat(listenerRegistry(context)).isSameAs(ObservationRegistry.NOOP);
			});
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withPropertyValues("kinesis.consumer.observation-enabled=true")
			.run((context) -> {
				assertThat(templateRegistry(context)).isSameAs(ObservationRegistry.NOOP);
				assertThat(listenerRegistry(context)).isSameAs(context.getBean(ObservationRegistry.class));
			});
	}

	@Test
	void thePropertiesObserveNothingWithoutARegistry() {
		this.runner
			.withPropertyValues("kinesis.producer.observation-enabled=true",
					"kinesis.consumer.observation-enabled=true")
			.run((context) -> {
				assertThat(templateRegistry(context)).isSameAs(ObservationRegistry.NOOP);
				assertThat(listenerRegistry(context)).isSameAs(ObservationRegistry.NOOP);
			});
	}

	@Test
	void conventionBeansReplaceTheDefaults() {
		KinesisTemplateObservationConvention templateConvention = new DefaultKinesisTemplateObservationConvention();
		KinesisListenerObservationConvention listenerConvention = new DefaultKinesisListenerObservationConvention();
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withBean(KinesisTemplateObservationConvention.class, () -> templateConvention)
			.withBean(KinesisListenerObservationConvention.class, () -> listenerConvention)
			.withPropertyValues("kinesis.producer.observation-enabled=true",
					"kinesis.consumer.observation-enabled=true")
			.run((context) -> {
				assertThat(context.getBean(KinesisTemplate.class)).extracting("observationConvention")
					.isSameAs(templateConvention);
				assertThat(context.getBean(DefaultKinesisListenerContainerFactory.class))
					.extracting("observationConvention")
					.isSameAs(listenerConvention);
			});
	}

	private static Object templateRegistry(ApplicationContext context) {
		return extract(context.getBean(KinesisTemplate.class), "observationRegistry");
	}

	private static Object listenerRegistry(ApplicationContext context) {
		return extract(context.getBean(DefaultKinesisListenerContainerFactory.class), "observationRegistry");
	}

	private static Object extract(Object bean, String field) {
		return ReflectionTestUtils.getField(bean, field);
	}

}
