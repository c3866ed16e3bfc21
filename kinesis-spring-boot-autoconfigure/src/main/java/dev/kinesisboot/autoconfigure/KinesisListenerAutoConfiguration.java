package dev.kinesisboot.autoconfigure;

import dev.kinesisboot.checkpoint.CheckpointerFactory;
import dev.kinesisboot.consumer.ConsumerErrorHandler;
import dev.kinesisboot.listener.DefaultKinesisListenerContainerFactory;
import dev.kinesisboot.listener.KinesisListenerAnnotationBeanPostProcessor;
import dev.kinesisboot.listener.KinesisListenerEndpointRegistry;
import dev.kinesisboot.listener.DeadLetterStreamRecoverer;
import dev.kinesisboot.listener.KinesisListenerObservationConvention;
import dev.kinesisboot.listener.ListenerErrorHandler;
import dev.kinesisboot.listener.LoggingRecordRecoverer;
import dev.kinesisboot.listener.RecordRecoverer;
import dev.kinesisboot.listener.PayloadConverter;
import dev.kinesisboot.metrics.MetricsCollector;
import dev.kinesisboot.producer.KinesisOperations;
import io.micrometer.observation.ObservationRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Auto-configures {@code @KinesisListener} support: the default container factory (from
 * {@code kinesis.consumer.*}), the endpoint registry and the annotation post-processor.
 * With {@code kinesis.consumer.observation-enabled=true} and an
 * {@link ObservationRegistry} bean, listener calls are observed.
 */
@AutoConfiguration(after = { KinesisAutoConfiguration.class, KinesisCheckpointAutoConfiguration.class })
public class KinesisListenerAutoConfiguration {

	@Bean(name = KinesisListenerAnnotationBeanPostProcessor.DEFAULT_CONTAINER_FACTORY)
	@ConditionalOnMissingBean(name = KinesisListenerAnnotationBeanPostProcessor.DEFAULT_CONTAINER_FACTORY)
	DefaultKinesisListenerContainerFactory kinesisListenerContainerFactory(KinesisAsyncClient kinesisAsyncClient,
			CheckpointerFactory checkpointerFactory, KinesisProperties properties,
			MetricsCollector kinesisMetricsCollector, KinesisOperations kinesisOperations,
			ObjectProvider<JsonMapper> jsonMapper, ObjectProvider<ConsumerErrorHandler> errorHandler,
			ObjectProvider<RecordRecoverer> recoverer, Environment environment,
			ObjectProvider<ObservationRegistry> observationRegistry,
			ObjectProvider<KinesisListenerObservationConvention> observationConvention) {
		KinesisProperties.Consumer consumer = properties.getConsumer();
		DefaultKinesisListenerContainerFactory factory = new DefaultKinesisListenerContainerFactory(kinesisAsyncClient,
				checkpointerFactory,
				new PayloadConverter(jsonMapper.getIfAvailable(() -> JsonMapper.builder().build())));
		factory.setConsumerOptions(KinesisOptionsMapper.consumerOptions(consumer));
		String group = StringUtils.hasText(consumer.getGroup()) ? consumer.getGroup()
				: environment.getProperty("spring.application.name", "default");
		factory.setGroup(group);
		factory.setCheckpointMode(consumer.getCheckpointMode());
		factory.setMetricsCollector(kinesisMetricsCollector);
		if (consumer.isObservationEnabled()) {
			observationRegistry.ifUnique(factory::setObservationRegistry);
			observationConvention.ifUnique(factory::setObservationConvention);
		}
		factory.setCreateStreams(consumer.isCreateStream(), consumer.getCreateStreamShardCount());
		factory.setErrorHandler(errorHandler.getIfAvailable(() -> new ListenerErrorHandler(consumer.getMaxAttempts(),
				recoverer.getIfAvailable(() -> recoverer(consumer, kinesisOperations, kinesisAsyncClient)))));
		return factory;
	}

	/**
	 * Where records the listener gave up on go: the dead-letter stream when one is set
	 * (checked, or created, at start-up), else the log.
	 */
	private static RecordRecoverer recoverer(KinesisProperties.Consumer consumer, KinesisOperations operations,
			KinesisAsyncClient client) {
		String stream = consumer.getDeadLetterStream();
		if (!StringUtils.hasText(stream)) {
			return new LoggingRecordRecoverer();
		}
		return new DeadLetterStreamRecoverer(operations, stream).checkingStream(client, consumer.isCreateStream(),
				consumer.getCreateStreamShardCount());
	}

	@Bean
	@ConditionalOnMissingBean
	KinesisListenerEndpointRegistry kinesisListenerEndpointRegistry() {
		return new KinesisListenerEndpointRegistry();
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static KinesisListenerAnnotationBeanPostProcessor kinesisListenerAnnotationBeanPostProcessor() {
		return new KinesisListenerAnnotationBeanPostProcessor();
	}

}
