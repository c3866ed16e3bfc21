package dev.kinesisboot.testsupport;

import java.net.URI;
import java.util.EnumMap;
import java.util.Map;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * LocalStack (Kinesis and DynamoDB) and Redis containers, started once per JVM for users
 * with Docker who run the integration tests with {@code -Plocalstack}. The containers
 * stop with the JVM (Testcontainers' reaper).
 */
final class LocalStackBackend {

	static final String LOCALSTACK_IMAGE = "localstack/localstack:4.4";

	static final String REDIS_IMAGE = "redis:7-alpine";

	private static Map<LocalServer, URI> endpoints;

	private LocalStackBackend() {
	}

	static synchronized Map<LocalServer, URI> endpoints() {
		if (endpoints == null) {
			if (!DockerClientFactory.instance().isDockerAvailable()) {
				throw new IllegalStateException("-D" + LocalServersExtension.BACKEND_PROPERTY
						+ "=localstack needs a running Docker engine; start Docker, or drop the localstack profile "
						+ "to use the local servers (" + LocalServer.START_HINT + ")");
			}
			LocalStackContainer localStack = new LocalStackContainer(DockerImageName.parse(LOCALSTACK_IMAGE))
				.withServices("kinesis", "dynamodb");
			localStack.start();
			GenericContainer<?> redis = new GenericContainer<>(DockerImageName.parse(REDIS_IMAGE))
				.withExposedPorts(6379);
			redis.start();
			Map<LocalServer, URI> started = new EnumMap<>(LocalServer.class);
			started.put(LocalServer.KINESIS, localStack.getEndpoint());
			started.put(LocalServer.DYNAMODB, localStack.getEndpoint());
			started.put(LocalServer.REDIS, URI.create("redis://" + redis.getHost() + ":" + redis.getMappedPort(6379)));
			endpoints = started;
		}
		return endpoints;
	}

}
