package dev.kinesisboot.listener;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import dev.kinesisboot.record.KinesisRecord;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.annotation.Async;
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
		Type[] types = method.getGenericParameterTypes();
		boolean hasList = false;
		int payloads = 0;
		for (Type type : types) {
			Class<?> raw = rawClass(type);
			Parameter parameter;
			if (raw == Acknowledgement.class) {
				parameter = new Parameter(Kind.ACKNOWLEDGEMENT, null);
			}
			else if (raw == KinesisRecord.class) {
				parameter = new Parameter(Kind.RECORD, typeArgument(type));
				payloads++;
			}
			else if (batch && List.class.isAssignableFrom(raw)) {
				Type element = typeArgument(type);
				parameter = (rawClass(element) == KinesisRecord.class)
						? new Parameter(Kind.RECORD_LIST, typeArgument(element))
						: new Parameter(Kind.PAYLOAD_LIST, element);
				hasList = true;
				payloads++;
			}
			else {
				parameter = new Parameter(Kind.PAYLOAD, type);
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

	void invokeBatch(List<KinesisRecord<byte[]>> records, Acknowledgement acknowledgement) throws Exception {
		Object[] args = new Object[this.parameters.size()];
		for (int i = 0; i < args.length; i++) {
			Parameter parameter = this.parameters.get(i);
			args[i] = switch (parameter.kind()) {
				case ACKNOWLEDGEMENT -> acknowledgement;
				case RECORD_LIST -> records.stream().map((record) -> convertRecord(record, parameter.type())).toList();
				case PAYLOAD_LIST ->
					records.stream().map((record) -> this.converter.convert(record.data(), parameter.type())).toList();
				default -> throw new IllegalStateException("unexpected parameter in batch mode: " + parameter);
			};
		}
		invoke(args);
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

	private static Class<?> rawClass(Type type) {
		if (type instanceof Class<?> clazz) {
			return clazz;
		}
		if (type instanceof ParameterizedType parameterized) {
			return (Class<?>) parameterized.getRawType();
		}
		return Object.class;
	}

	private static Type typeArgument(Type type) {
		if (type instanceof ParameterizedType parameterized) {
			return parameterized.getActualTypeArguments()[0];
		}
		return byte[].class;
	}

	private enum Kind {

		PAYLOAD, RECORD, PAYLOAD_LIST, RECORD_LIST, ACKNOWLEDGEMENT

	}

	private record Parameter(Kind kind, Type type) {
	}

}
