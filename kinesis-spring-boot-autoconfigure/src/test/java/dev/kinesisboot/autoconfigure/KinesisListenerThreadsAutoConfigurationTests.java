package dev.kinesisboot.autoconfigure;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.kinesisboot.listener.DefaultKinesisListenerContainerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where listener calls run: virtual threads with {@code spring.threads.virtual.enabled}
 * (on a JVM that has them), as Spring Boot does for Kafka's listener containers, unless
 * the application names an executor of its own. The virtual-thread case runs only on Java
 * 21 or later ({@code JAVA_HOME=/path/to/jdk21+ ./mvnw test}); on Java 17 the fallback
 * case runs instead.
 */
class KinesisListenerThreadsAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KinesisAutoConfiguration.class,
				KinesisCheckpointAutoConfiguration.class, KinesisListenerAutoConfiguration.class))
		.withPropertyValues("kinesis.region=us-east-1", "kinesis.endpoint=http://127.0.0.1:1",
				"kinesis.credentials.access-key=local", "kinesis.credentials.secret-key=local");

	@Test
	void byDefaultEachConsumerRunsListenerCallsOnItsOwnHandlerPool() {
		this.runner.run((context) -> assertThat(listenerTaskExecutor(context)).isNull());
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void withVirtualThreadsEnabledListenerCallsRunOnVirtualThreads() {
		this.runner.withPropertyValues("spring.threads.virtual.enabled=true").run((context) -> {
			Executor executor = listenerTaskExecutor(context);
			assertThat(executor).isInstanceOf(SimpleAsyncTaskExecutor.class);
			Thread thread = threadOf(executor);
			assertThat(thread.getName()).startsWith("kinesis-listener-");
			assertThat(Thread.class.getMethod("isVirtual").invoke(thread)).isEqualTo(true);
		});
	}

	@Test
	@EnabledForJreRange(max = JRE.JAVA_20)
	void beforeJava21TheVirtualThreadsPropertyKeepsTheHandlerPools() {
		this.runner.withPropertyValues("spring.threads.virtual.enabled=true")
			.run((context) -> assertThat(listenerTaskExecutor(context)).isNull());
	}

	@Test
	void anExecutorBeanNamedKinesisListenerTaskExecutorWinsOverVirtualThreads() {
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			this.runner.withPropertyValues("spring.threads.virtual.enabled=true")
				.withBean(KinesisListenerAutoConfiguration.LISTENER_TASK_EXECUTOR_BEAN_NAME, Executor.class,
						() -> executor)
				.run((context) -> assertThat(listenerTaskExecutor(context)).isSameAs(executor));
		}
		finally {
			executor.shutdown();
		}
	}

	@Test
	void anExecutorBeanOfAnotherNameIsNotTaken() {
		this.runner.withBean("applicationTaskExecutor", Executor.class, () -> Runnable::run)
			.run((context) -> assertThat(listenerTaskExecutor(context)).isNull());
	}

	private static Executor listenerTaskExecutor(ApplicationContext context) {
		return (Executor) ReflectionTestUtils.getField(context.getBean(DefaultKinesisListenerContainerFactory.class),
				"listenerTaskExecutor");
	}

	private static Thread threadOf(Executor executor) throws Exception {
		CompletableFuture<Thread> thread = new CompletableFuture<>();
		executor.execute(() -> thread.complete(Thread.currentThread()));
		return thread.get(10, TimeUnit.SECONDS);
	}

}
