package dev.kinesisboot.listener;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.kinesisboot.record.KinesisRecord;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Ahead-of-time support for {@link KinesisListener}: for each bean class with listener
 * methods, registers the reflection hints a native image needs to find and call those
 * methods, and to bind their payloads with Jackson. The payload types are resolved as the
 * listener adapter resolves them at run time, against the bean's class: a plain
 * parameter, the {@code T} of {@code KinesisRecord<T>} and the element of a batch's
 * {@code List}. Data that needs no binding ({@code byte[]}, {@code String},
 * {@code ByteBuffer}, {@code Object}) and JDK types get no binding hints.
 * <p>
 * Registered in {@code META-INF/spring/aot.factories}. Only the bean's declared class is
 * seen at build time, so a {@code @Bean} method should declare the class that holds the
 * listener methods.
 */
class KinesisListenerBeanRegistrationAotProcessor implements BeanRegistrationAotProcessor {

	@Override
	public BeanRegistrationAotContribution processAheadOfTime(RegisteredBean registeredBean) {
		Class<?> beanClass = registeredBean.getBeanClass();
		Set<Method> methods = MethodIntrospector
			.selectMethods(beanClass,
					(MethodIntrospector.MetadataLookup<KinesisListener>) (method) -> AnnotatedElementUtils
						.findMergedAnnotation(method, KinesisListener.class))
			.keySet();
		if (methods.isEmpty()) {
			return null;
		}
		Set<Class<?>> payloadTypes = new LinkedHashSet<>();
		for (Method method : methods) {
			for (int i = 0; i < method.getParameterCount(); i++) {
				payloadsOf(ResolvableType.forMethodParameter(method, i, beanClass))
					.forEach((payload) -> collectPayloadTypes(payload, payloadTypes));
			}
		}
		return (generationContext, beanRegistrationCode) -> {
			ReflectionHints reflection = generationContext.getRuntimeHints().reflection();
			methods.forEach((method) -> reflection.registerMethod(method, ExecutableMode.INVOKE));
			new BindingReflectionHintsRegistrar().registerReflectionHints(reflection,
					payloadTypes.toArray(Class<?>[]::new));
		};
	}

	/**
	 * The types a parameter's data is converted to, as the listener adapter sees them.
	 * @param parameter the parameter's type
	 * @return the payload types, none for a parameter that takes no payload
	 */
	private static List<ResolvableType> payloadsOf(ResolvableType parameter) {
		Class<?> raw = parameter.resolve(Object.class);
		if (raw == Acknowledgement.class) {
			return List.of();
		}
		if (raw == KinesisRecord.class) {
			return List.of(parameter.getGeneric(0));
		}
		if (Collection.class.isAssignableFrom(raw)) {
			// a batch, List<T> or List<KinesisRecord<T>>, or a collection taken as one
			// payload; a collection class of the application's own is bound itself too
			ResolvableType element = parameter.asCollection().getGeneric(0);
			if (element.resolve(Object.class) == KinesisRecord.class) {
				element = element.getGeneric(0);
			}
			return raw.getName().startsWith("java.") ? List.of(element) : List.of(parameter, element);
		}
		return List.of(parameter);
	}

	/**
	 * Adds the classes Jackson binds for a payload type: the type itself unless the data
	 * needs no binding or a JDK type (Jackson reads those without reflection on them),
	 * then its type arguments and array element, so a {@code Map<String, OrderDto>}
	 * payload brings {@code OrderDto}.
	 */
	private static void collectPayloadTypes(ResolvableType type, Set<Class<?>> types) {
		if (type == null) {
			return;
		}
		Class<?> raw = type.resolve();
		if (raw == null || raw == byte[].class || raw == String.class || raw == ByteBuffer.class
				|| raw == Object.class) {
			return;
		}
		if (raw.isArray()) {
			collectPayloadTypes(type.getComponentType(), types);
			return;
		}
		if (!raw.isPrimitive() && !raw.getName().startsWith("java.") && !types.add(raw)) {
			return;
		}
		for (ResolvableType generic : type.getGenerics()) {
			collectPayloadTypes(generic, types);
		}
	}

}
