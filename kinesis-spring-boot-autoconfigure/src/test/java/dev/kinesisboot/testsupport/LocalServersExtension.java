package dev.kinesisboot.testsupport;

import java.net.URI;
import java.util.EnumMap;
import java.util.Map;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

/**
 * Checks that the servers a test class needs answer, and hands out {@link LocalKinesis},
 * {@link LocalDynamoDb} and {@link LocalRedis}. Use it through
 * {@link RequiresLocalServers}.
 */
public class LocalServersExtension implements BeforeAllCallback, ParameterResolver {

	static final String BACKEND_PROPERTY = "kinesisboot.test.backend";

	@Override
	public void beforeAll(ExtensionContext context) {
		LocalServer[] required = AnnotationSupport
			.findAnnotation(context.getRequiredTestClass(), RequiresLocalServers.class)
			.map(RequiresLocalServers::value)
			.orElse(LocalServer.values());
		Map<LocalServer, URI> endpoints = endpoints();
		for (LocalServer server : required) {
			URI endpoint = endpoints.get(server);
			checkAnswers(server, endpoint, LocalServer.answers(endpoint), isCi());
		}
	}

	/**
	 * Fails or aborts when a server does not answer.
	 * @param server the server
	 * @param endpoint where it was probed
	 * @param answers whether it answered
	 * @param ci whether this is a CI run, where a missing server is a failure
	 */
	static void checkAnswers(LocalServer server, URI endpoint, boolean answers, boolean ci) {
		if (answers) {
			return;
		}
		String message = server.description() + " does not answer at " + endpoint + " (set "
				+ server.environmentVariable() + " to point elsewhere); " + LocalServer.START_HINT;
		if (ci) {
			throw new IllegalStateException("CI=true and " + message);
		}
		throw new TestAbortedException("Skipped: " + message);
	}

	static boolean isCi() {
		return "true".equalsIgnoreCase(System.getenv("CI"));
	}

	static boolean useLocalStack() {
		return "localstack".equalsIgnoreCase(System.getProperty(BACKEND_PROPERTY, ""));
	}

	private static Map<LocalServer, URI> endpoints() {
		if (useLocalStack()) {
			return LocalStackBackend.endpoints();
		}
		Map<LocalServer, URI> endpoints = new EnumMap<>(LocalServer.class);
		for (LocalServer server : LocalServer.values()) {
			endpoints.put(server, server.endpoint());
		}
		return endpoints;
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		Class<?> type = parameterContext.getParameter().getType();
		return type == LocalKinesis.class || type == LocalDynamoDb.class || type == LocalRedis.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		Class<?> type = parameterContext.getParameter().getType();
		Map<LocalServer, URI> endpoints = endpoints();
		ExtensionContext.Store store = extensionContext.getRoot()
			.getStore(ExtensionContext.Namespace.create(getClass()));
		if (type == LocalKinesis.class) {
			return store.getOrComputeIfAbsent(LocalKinesis.class,
					(key) -> new LocalKinesis(endpoints.get(LocalServer.KINESIS)), LocalKinesis.class);
		}
		if (type == LocalDynamoDb.class) {
			return store.getOrComputeIfAbsent(LocalDynamoDb.class,
					(key) -> new LocalDynamoDb(endpoints.get(LocalServer.DYNAMODB)), LocalDynamoDb.class);
		}
		if (type == LocalRedis.class) {
			return new LocalRedis(endpoints.get(LocalServer.REDIS));
		}
		throw new ParameterResolutionException("Unsupported parameter type " + type);
	}

}
