package dev.kinesisboot.listener;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

import dev.kinesisboot.record.KinesisRecord;
import org.springframework.util.ReflectionUtils;

/**
 * Calls a listener method with the parameters it declares, converting payloads on the
 * way. Checked once at start-up: a batch listener needs a {@code List} parameter, and
 * every parameter must be of a supported kind. Thread-safe.
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

	private void invoke(Object[] args) throws Exception {
		try {
			this.method.invoke(this.bean, args);
		}
		catch (InvocationTargetException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof Exception exception) {
				throw exception;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw ex;
		}
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
