package dev.kinesisboot.listener;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.kinesisboot.consumer.BatchListenerFailedException;
import dev.kinesisboot.record.KinesisRecord;

import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.annotation.Async;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Calls a listener method with the parameters it declares, converting payloads on the
 * way; a method that returns a future is waited for. Checked once at start-up: a batch
 * listener needs a {@code List} parameter, every parameter must be of a supported kind,
 * and an {@code @Async} method must return a future. Thread-safe.
 */
final class ListenerMethodAdapter {

	private final Object bean;

	private final Method method;

	private final PayloadConverter converter;

	private final List<Parameter> parameters = new ArrayList<>();

	ListenerMethodAdapter(Object bean, Method method, boolean batch, PayloadConverter converter) {
		this.bean = bean;
		this.method = method;
		this.converter = converter;
		ReflectionUtils.makeAccessible(method);
		// type variables (a listener inherited from Base<T>) resolve against the bean's
		// class
		Class<?> beanClass = ClassUtils.getUserClass(bean);
		boolean hasList = false;
		int payloads = 0;
		for (int i = 0; i < method.getParameterCount(); i++) {
			ResolvableType type = ResolvableType.forMethodParameter(method, i, beanClass);
			Class<?> raw = type.resolve(Object.class);
			Parameter parameter;
			if (raw == Acknowledgement.class) {
				parameter = new Parameter(Kind.ACKNOWLEDGEMENT, null);
			}
			else if (raw == KinesisRecord.class) {
				parameter = new Parameter(Kind.RECORD, javaType(type.getGeneric(0)));
				payloads++;
			}
			else if (List.class.isAssignableFrom(raw) && type.getGeneric(0).resolve(Object.class) == KinesisRecord.class
					&& !batch) {
				throw new IllegalStateException("@KinesisListener method " + describe() + " takes " + type
						+ ", a list of records, but is not a batch listener; set batch = \"true\", or take "
						+ "one KinesisRecord<T>");
			}
			else if (batch && Collection.class.isAssignableFrom(raw)) {
				if (!raw.isAssignableFrom(List.class)) {
					throw new IllegalStateException(
							"@KinesisListener method " + describe() + " takes its batch as " + raw.getSimpleName()
									+ ", but a batch comes as an unmodifiable List; declare it as List<T> "
									+ "or List<KinesisRecord<T>>");
				}
				ResolvableType element = type.getGeneric(0);
				parameter = (element.resolve(Object.class) == KinesisRecord.class)
						? new Parameter(Kind.RECORD_LIST, javaType(element.getGeneric(0)))
						: new Parameter(Kind.PAYLOAD_LIST, javaType(element));
				hasList = true;
				payloads++;
			}
			else {
				parameter = new Parameter(Kind.PAYLOAD, javaType(type));
				payloads++;
			}
			this.parameters.add(parameter);
		}
		if (batch && !hasList) {
			throw new IllegalStateException("@KinesisListener method " + describe()
					+ " is a batch listener but takes no List parameter; add List<T> or List<KinesisRecord<T>>, "
					+ "or set batch = \"false\"");
		}
		boolean returnsFuture = Future.class.isAssignableFrom(method.getReturnType())
				|| CompletionStage.class.isAssignableFrom(method.getReturnType());
		if (!returnsFuture && (AnnotatedElementUtils.hasAnnotation(method, Async.class)
				|| AnnotatedElementUtils.hasAnnotation(method.getDeclaringClass(), Async.class))) {
			throw new IllegalStateException("@KinesisListener method " + describe()
					+ " is @Async and returns no future: its records would be checkpointed before it handled them; "
					+ "remove @Async (set concurrency for parallel shards), or return a CompletableFuture, which the "
					+ "container waits for");
		}
		if (payloads > 1) {
			throw new IllegalStateException("@KinesisListener method " + describe()
					+ " takes more than one payload parameter; take one payload, KinesisRecord or List, plus "
					+ "optionally an Acknowledgement");
		}
	}

	String describe() {
		return this.method.getDeclaringClass().getSimpleName() + "." + this.method.getName();
	}

	void invokeRecord(KinesisRecord<byte[]> record, Acknowledgement acknowledgement) throws Exception {
		Object[] args = new Object[this.parameters.size()];
		for (int i = 0; i < args.length; i++) {
			Parameter parameter = this.parameters.get(i);
			args[i] = switch (parameter.kind()) {
				case ACKNOWLEDGEMENT -> acknowledgement;
				case RECORD -> convertRecord(record, parameter.type());
				default -> this.converter.convert(record.data(), parameter.type());
			};
		}
		invoke(args);
	}

	/**
	 * Calls a batch listener. A record whose payload cannot be converted is named as the
	 * batch's failed record ({@link BatchListenerFailedException}) after the records
	 * before it were handed to the listener, so they are not held back by it.
	 * @param records the batch
	 * @param acknowledgements the acknowledgement of the records up to a record
	 */
	void invokeBatch(List<KinesisRecord<byte[]>> records,
			Function<KinesisRecord<byte[]>, Acknowledgement> acknowledgements) throws Exception {
		List<Object> items = new ArrayList<>(records.size());
		PayloadConversionException unconvertible = null;
		for (KinesisRecord<byte[]> record : records) {
			try {
				items.add(convertItem(record));
			}
			catch (PayloadConversionException ex) {
				unconvertible = ex;
				break;
			}
		}
		int converted = items.size();
		if (converted > 0) {
			Object[] args = new Object[this.parameters.size()];
			for (int i = 0; i < args.length; i++) {
				args[i] = (this.parameters.get(i).kind() == Kind.ACKNOWLEDGEMENT)
						? acknowledgements.apply(records.get(converted - 1)) : Collections.unmodifiableList(items);
			}
			invoke(args);
		}
		if (unconvertible != null) {
			throw new BatchListenerFailedException("Record " + converted + " of the batch cannot be converted for "
					+ describe() + ": " + unconvertible.getMessage(), unconvertible, converted);
		}
	}

	private Object convertItem(KinesisRecord<byte[]> record) {
		for (Parameter parameter : this.parameters) {
			if (parameter.kind() == Kind.RECORD_LIST) {
				return convertRecord(record, parameter.type());
			}
			if (parameter.kind() == Kind.PAYLOAD_LIST) {
				return this.converter.convert(record.data(), parameter.type());
			}
		}
		throw new IllegalStateException("batch listener " + describe() + " has no List parameter");
	}

	private KinesisRecord<Object> convertRecord(KinesisRecord<byte[]> record, Type payloadType) {
		return record.withPayload((data) -> this.converter.convert(data, payloadType));
	}

	/**
	 * Calls the method; when it returns a future (a {@code CompletableFuture}, or any
	 * {@code CompletionStage} or {@code Future}), waits for it, so the records count as
	 * handled only once the work is done, and its failure is the call's.
	 */
	private void invoke(Object[] args) throws Exception {
		Object result;
		try {
			result = this.method.invoke(this.bean, args);
		}
		catch (InvocationTargetException ex) {
			throw rethrow(ex.getCause(), ex);
		}
		Future<?> future = (result instanceof CompletionStage<?> stage) ? stage.toCompletableFuture()
				: (result instanceof Future<?> plain) ? plain : null;
		if (future == null) {
			return;
		}
		try {
			future.get();
		}
		catch (ExecutionException ex) {
			throw rethrow(ex.getCause(), ex);
		}
	}

	private static Exception rethrow(Throwable cause, Exception wrapper) {
		if (cause instanceof Exception exception) {
			return exception;
		}
		if (cause instanceof Error error) {
			throw error;
		}
		return wrapper;
	}

	/**
	 * The type to convert a payload to: resolved as far as the bean's class allows, a
	 * type that stays open (a wildcard, an unbound variable) as {@code Object}.
	 */
	private static Type javaType(ResolvableType type) {
		Class<?> raw = type.resolve();
		if (raw == null) {
			return Object.class;
		}
		if (raw.isArray() || !type.hasGenerics()) {
			return raw;
		}
		ResolvableType[] generics = type.getGenerics();
		Type[] arguments = new Type[generics.length];
		for (int i = 0; i < generics.length; i++) {
			arguments[i] = javaType(generics[i]);
		}
		return new ResolvedParameterizedType(raw, arguments);
	}

	/** A parameterized type whose arguments were resolved against the bean's class. */
	private record ResolvedParameterizedType(Class<?> raw, Type[] arguments) implements ParameterizedType {

		@Override
		public Type[] getActualTypeArguments() {
			return this.arguments.clone();
		}

		@Override
		public Type getRawType() {
			return this.raw;
		}

		@Override
		public Type getOwnerType() {
			return null;
		}

		@Override
		public String getTypeName() {
			return this.raw.getName()
					+ Arrays.stream(this.arguments).map(Type::getTypeName).collect(Collectors.joining(", ", "<", ">"));
		}

	}

	private enum Kind {

		PAYLOAD, RECORD, PAYLOAD_LIST, RECORD_LIST, ACKNOWLEDGEMENT

	}

	private record Parameter(Kind kind, Type type) {
	}

}
