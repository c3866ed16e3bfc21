package dev.kinesisboot.autoconfigure;

import dev.kinesisboot.producer.KinesisTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kinesis.producer.format}: which formats the template can write, and which
 * settings contradict it.
 */
class KinesisProducerFormatAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KinesisAutoConfiguration.class))
		.withPropertyValues("kinesis.region=us-east-1", "kinesis.endpoint=http://127.0.0.1:1",
				"kinesis.credentials.access-key=local", "kinesis.credentials.secret-key=local");

	@Test
	void aFormatNameFromAsyncKinesisGivesATemplate() {
		this.runner.withPropertyValues("kinesis.producer.format=json-lines")
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(KinesisTemplate.class));
	}

	@Test
	void kplAggregationOfAnotherFormatFailsStartupNamingBothProperties() {
		this.runner.withPropertyValues("kinesis.producer.format=MSGPACK", "kinesis.producer.aggregation-enabled=true")
			.run((context) -> assertThat(context.getStartupFailure())
				.hasRootCauseInstanceOf(InvalidKinesisPropertyException.class)
				.rootCause()
				.hasMessageContaining("kinesis.producer.format")
				.hasMessageContaining("kinesis.producer.aggregation-enabled=true")
				.hasMessageContaining("MSGPACK"));
	}

	@Test
	void kplAggregationGoesWithTheKplFormat() {
		this.runner.withPropertyValues("kinesis.producer.format=KPL", "kinesis.producer.aggregation-enabled=true")
			.run((context) -> assertThat(context).hasNotFailed());
	}

}
