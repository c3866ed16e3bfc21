package dev.kinesisboot.test;

import dev.kinesisboot.producer.KinesisTemplate;
import org.aopalliance.intercept.MethodInterceptor;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Records what the application sends: {@code @Import(RecordedSendsConfiguration.class)}
 * on a test, then {@code @Autowired RecordedSends sends}. The application's
 * {@code KinesisTemplate} is wrapped so that each {@code send} is recorded and then made
 * as before; the wrapper is still a {@code KinesisTemplate}, so code that injects the
 * template or {@code KinesisOperations} goes through it alike.
 */
@TestConfiguration(proxyBeanMethods = false)
public class RecordedSendsConfiguration {

	@Bean
	RecordedSends recordedKinesisSends() {
		return new RecordedSends();
	}

	@Bean
	static BeanPostProcessor recordingKinesisTemplatePostProcessor(ObjectProvider<RecordedSends> sends) {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (!(bean instanceof KinesisTemplate)) {
					return bean;
				}
				ProxyFactory proxy = new ProxyFactory(bean);
				proxy.setProxyTargetClass(true);
				proxy.addAdvice((MethodInterceptor) (invocation) -> {
					Object[] arguments = invocation.getArguments();
					if (invocation.getMethod().getName().equals("send")) {
						boolean keyed = arguments.length == 3;
						sends.getObject()
							.add(new RecordedSends.Sent((String) arguments[0], keyed ? (String) arguments[1] : null,
									arguments[keyed ? 2 : 1]));
					}
					return invocation.proceed();
				});
				return proxy.getProxy(bean.getClass().getClassLoader());
			}

		};
	}

}
