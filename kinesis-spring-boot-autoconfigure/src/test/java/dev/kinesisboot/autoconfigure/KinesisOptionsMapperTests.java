package dev.kinesisboot.autoconfigure;

import java.time.Duration;

import dev.kinesisboot.consumer.ConsumerMode;
import dev.kinesisboot.consumer.ConsumerOptions;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code kinesis.consumer.*} as a user writes it in application.yml, bound and mapped to
 * {@link ConsumerOptions}.
 */
class KinesisOptionsMapperTests {

	private static KinesisProperties bind(String... pairs) {
		MapConfigurationPropertySource source = new MapConfigurationPropertySource();
		for (int i = 0; i < pairs.length; i += 2) {
			source.put(pairs[i], pairs[i + 1]);
		}
		return new Binder(source).bindOrCreate("kinesis", KinesisProperties.class);
	}

	@Test
	void fanOutSettingsReachTheConsumerOptions() {
		ConsumerOptions options = KinesisOptionsMapper.consumerOptions(bind("kinesis.consumer.mode", "fan-out",
				"kinesis.consumer.fan-out.consumer-name", "billing-efo",
				"kinesis.consumer.fan-out.subscription-renewal", "4m", "kinesis.consumer.fan-out.subscription-timeout",
				"20s", "kinesis.consumer.fan-out.deregister-on-shutdown", "true",
				"kinesis.consumer.idle-poll-interval-max", "3s")
			.getConsumer());
		assertThat(options.mode()).isEqualTo(ConsumerMode.FAN_OUT);
		assertThat(options.fanOutConsumerName()).isEqualTo("billing-efo");
		assertThat(options.subscriptionRenewal()).isEqualTo(Duration.ofMinutes(4));
		assertThat(options.subscriptionTimeout()).isEqualTo(Duration.ofSeconds(20));
		assertThat(options.deregisterOnClose()).isTrue();
		assertThat(options.idlePollIntervalMax()).isEqualTo(Duration.ofSeconds(3));
	}

	@Test
	void defaultsArePollingWithoutDeregistration() {
		ConsumerOptions options = KinesisOptionsMapper.consumerOptions(bind().getConsumer());
		assertThat(options.mode()).isEqualTo(ConsumerMode.POLLING);
		assertThat(options.fanOutConsumerName()).isNull();
		assertThat(options.deregisterOnClose()).isFalse();
		assertThat(options.subscriptionRenewal()).isEqualTo(Duration.ofMinutes(5));
	}

	@Test
	void badFanOutSettingsNameThePropertyAndTheRule() {
		assertThatThrownBy(() -> KinesisOptionsMapper
			.consumerOptions(bind("kinesis.consumer.fan-out.consumer-name", "bad name!").getConsumer()))
			.isInstanceOf(InvalidKinesisPropertyException.class)
			.hasMessageContaining("kinesis.consumer.fan-out.consumer-name")
			.hasMessageContaining("1 to 128 characters");
		assertThatThrownBy(() -> KinesisOptionsMapper
			.consumerOptions(bind("kinesis.consumer.fan-out.subscription-renewal", "6m").getConsumer()))
			.isInstanceOf(InvalidKinesisPropertyException.class)
			.hasMessageContaining("kinesis.consumer.fan-out.subscription-renewal")
			.hasMessageContaining("at most 5 minutes");
	}

}
