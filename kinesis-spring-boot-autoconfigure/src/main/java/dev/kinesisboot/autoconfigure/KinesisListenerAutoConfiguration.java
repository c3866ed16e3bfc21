package dev.kinesisboot.autoconfigure;

import java.util.concurrent.Executor;

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
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.util.StringUtils;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Auto-configures {@code @KinesisListener} support: the default container factory (from
 * {@code kinesis.consumer.*}), the endpoint registry and the annotation post-processor.
 * With {@code kinesis.consumer.observation-enabled=true} and an
 * {@link ObservationRegistry} bean, listener calls are observed. Listener calls run on
 * the executor bean named {@value #LISTENER_TASK_EXECUTOR_BEAN_NAME} when there is one,
 * else on virtual threads when {@code spring.threads.virtual.enabled=true} on Java 21 or
 * later, else on each consumer's pool of {@code kinesis.consumer.handler-threads}.
 */
@AutoConfiguration(after = { KinesisAutoConfiguration.class, KinesisCheckpointAutoConfiguration.class })
public class KinesisListenerAutoConfiguration {

	/**
	 * Name of the {@link Executor} bean that runs the listener calls of the default
	 * container factory's containers, in place of virtual threads or handler pools.
	 */
	public static final String LISTENER_TASK_EXECUTOR_BEAN_NAME = "kinesisListenerTaskExecutor";

	@Bean(name = KinesisListenerAnnotationBeanPostProcessor.DEFAULT_CONTAINER_FACTORY)
	@ConditionalOnMissingBean(name = KinesisListenerAnnotationBeanPostProcessor.DEFAULT_CONTAINER_FACTORY)
	DefaultKinesisListenerContainerFactory kinesisListenerContainerFactory(KinesisAsyncClient kinesisAsyncClient,
			CheckpointerFactory checkpointerFactory, KinesisProperties properties,
			MetricsCollector kinesisMetricsCollector, KinesisOperations kinesisOperations,
			ObjectProvider<JsonMapper> jsonMapper, ObjectProvider<ConsumerErrorHandler> errorHandler,
			ObjectProvider<RecordRecoverer> recoverer, Environment environment,
			ObjectProvider<ObservationRegistry> observationRegistry,
			ObjectProvider<KinesisListenerObservationConvention> observationConvention,
			@Qualifier(LISTENER_TASK_EXECUTOR_BEAN_NAME) ObjectProvider<Executor> listenerTaskExecutor) {
		KinesisProperties.Consumer consumer = properties.getConsumer();
		DefaultKinesisListenerContainerFactory factory = new DefaultKinesisListenerContainerFactory(kinesisAsyncClient,
				checkpointerFactory,
				new PayloadConverter(jsonMapper.getIfAvailable(() -> JsonMapper.builder().build())));
		factory.setConsumerOptions(KinesisOptionsMapper.consumerOptions(consumer));
		String group = StringUtils.hasText(consumer.getGroup()) ? consumer.getGroup()
				: environment.getProperty("spring.application.name", "default");
		factory.setGroup(group);
		factory.setMetricsCollector(kinesisMetricsCollector);
		if (consumer.isObservationEnabled()) {
			observationRegistry.ifUnique(factory::setObservationRegistry);
			observationConvention.ifUnique(factory::setObservationConvention);
		}
		factory.setListenerTaskExecutor(listenerTaskExecutor.getIfAvailable(() -> virtualThreads(environment)));
		factory.setCreateStreams(consumer.isCreateStream(), consumer.getCreateStreamShardCount());
		factory.setErrorHandler(
				errorHandler.getIfAvailable(() -> new ListenerErrorHandler(KinesisOptionsMapper.maxAttempts(consumer),
						recoverer.getIfAvailable(() -> recoverer(consumer, kinesisOperations, kinesisAsyncClient)))));
		return factory;
	}

	/**
	 * A thread per listener call, virtual, as Spring Boot gives Kafka's and RabbitMQ's
	 * listener containers; {@code null} (each consumer's own pool) unless virtual threads
	 * are on and the JVM has them (Java 21 or later).
	 */
	private static Executor virtualThreads(Environment environment) {
		if (!Threading.VIRTUAL.isActive(environment)) {
			return null;
		}
		SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("kinesis-listener-");
		executor.setVirtualThreads(true);
		return executor;
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
