package dev.kinesisboot.listener;

import java.lang.reflect.Method;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kinesisboot.aggregation.RecordFormat;
import dev.kinesisboot.consumer.CheckpointMode;
import dev.kinesisboot.consumer.InitialPosition;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.StringUtils;

/**
 * Finds {@link KinesisListener} methods on beans, resolves their placeholders, and
 * registers an endpoint for each with the {@link KinesisListenerEndpointRegistry} once
 * all singletons exist; a bean created later (a {@code @Lazy} one) has its listeners
 * registered, and started when the registry runs, as it is created.
 */
public class KinesisListenerAnnotationBeanPostProcessor
		implements BeanPostProcessor, BeanFactoryAware, SmartInitializingSingleton {

	/** Bean name of the default container factory. */
	public static final String DEFAULT_CONTAINER_FACTORY = "kinesisListenerContainerFactory";

	private final List<Pending> pending = new ArrayList<>();

	private ConfigurableBeanFactory beanFactory;

	// guarded by pending
	private boolean singletonsInstantiated;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
		this.beanFactory = (ConfigurableBeanFactory) beanFactory;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		Map<Method, KinesisListener> methods = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<KinesisListener>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, KinesisListener.class));
		List<Pending> found = new ArrayList<>();
		methods.forEach((method, annotation) -> found
			.add(new Pending(bean, beanName, AopUtils.selectInvocableMethod(method, bean.getClass()), annotation)));
		synchronized (this.pending) {
			if (!this.singletonsInstantiated) {
				this.pending.addAll(found);
				return bean;
			}
		}
		// a bean created later (@Lazy): registered now, and started at once
		// when the registry runs
		found.forEach(this::register);
		return bean;
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<Pending> listeners;
		synchronized (this.pending) {
			this.singletonsInstantiated = true;
			listeners = new ArrayList<>(this.pending);
			this.pending.clear();
		}
		listeners.forEach(this::register);
	}

	private void register(Pending listener) {
		KinesisListenerEndpointRegistry registry = this.beanFactory.getBean(KinesisListenerEndpointRegistry.class);
		String factoryName = resolve(listener.annotation().containerFactory());
		KinesisListenerContainerFactory factory = this.beanFactory.getBean(
				StringUtils.hasText(factoryName) ? factoryName : DEFAULT_CONTAINER_FACTORY,
				KinesisListenerContainerFactory.class);
		registry.registerListenerContainer(endpoint(listener), factory);
	}

	private KinesisListenerEndpoint endpoint(Pending listener) {
		KinesisListener annotation = listener.annotation();
		String where = "@KinesisListener on " + listener.method().getDeclaringClass().getSimpleName() + "."
				+ listener.method().getName();
		List<String> streams = Arrays.stream(annotation.streams())
			.map(this::resolve)
			.flatMap((value) -> Arrays.stream(StringUtils.commaDelimitedListToStringArray(value)))
			.map(String::trim)
			.filter(StringUtils::hasText)
			.toList();
		if (streams.isEmpty()) {
			throw new IllegalStateException(where + " names no stream; set streams = \"...\"");
		}
		String id = resolve(annotation.id());
		if (!StringUtils.hasText(id)) {
			id = listener.beanName() + "." + listener.method().getName();
		}
		InitialPosition startPosition = parseEnum(InitialPosition.class, resolve(annotation.startPosition()), where,
				"startPosition");
		Instant startTimestamp = parseInstant(resolve(annotation.startTimestamp()), where);
		if (startTimestamp != null && startPosition == null) {
			startPosition = InitialPosition.AT_TIMESTAMP;
		}
		else if (startTimestamp != null && startPosition != InitialPosition.AT_TIMESTAMP) {
			throw new IllegalStateException(where + ": startTimestamp is set, but startPosition is " + startPosition
					+ "; use startPosition = \"AT_TIMESTAMP\" or leave it out");
		}
		return new KinesisListenerEndpoint(id, streams, blankToNull(resolve(annotation.group())), startPosition,
				parseBoolean(resolve(annotation.batch()), where, "batch"),
				parseEnum(CheckpointMode.class, resolve(annotation.checkpointMode()), where, "checkpointMode"),
				parseInteger(resolve(annotation.concurrency()), where, "concurrency"),
				parseBoolean(resolve(annotation.autoStartup()), where, "autoStartup"), listener.bean(),
				listener.method(), parseEnum(RecordFormat.class, resolve(annotation.format()), where, "format"),
				startTimestamp);
	}

	private String resolve(String value) {
		return StringUtils.hasText(value) ? this.beanFactory.resolveEmbeddedValue(value) : value;
	}

	private static String blankToNull(String value) {
		return StringUtils.hasText(value) ? value.trim() : null;
	}

	private static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String where, String attribute) {
		if (!StringUtils.hasText(value)) {
			return null;
		}
		try {
			return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException(where + ": " + attribute + " = \"" + value + "\" is not one of "
					+ Arrays.toString(type.getEnumConstants()));
		}
	}

	private static Instant parseInstant(String value, String where) {
		if (!StringUtils.hasText(value)) {
			return null;
		}
		try {
			return Instant.parse(value.trim());
		}
		catch (DateTimeParseException ex) {
			throw new IllegalStateException(where + ": startTimestamp = \"" + value
					+ "\" is not an ISO-8601 instant such as 2026-01-01T00:00:00Z");
		}
	}

	private static Boolean parseBoolean(String value, String where, String attribute) {
		if (!StringUtils.hasText(value)) {
			return null;
		}
		return switch (value.trim().toLowerCase(Locale.ROOT)) {
			case "true" -> true;
			case "false" -> false;
			default -> throw new IllegalStateException(
					where + ": " + attribute + " = \"" + value + "\" must be true or false");
		};
	}

	private static Integer parseInteger(String value, String where, String attribute) {
		if (!StringUtils.hasText(value)) {
			return null;
		}
		try {
			int parsed = Integer.parseInt(value.trim());
			if (parsed < 1) {
				throw new NumberFormatException();
			}
			return parsed;
		}
		catch (NumberFormatException ex) {
			throw new IllegalStateException(
					where + ": " + attribute + " = \"" + value + "\" must be a positive number");
		}
	}

	private record Pending(Object bean, String beanName, Method method, KinesisListener annotation) {
	}

}
