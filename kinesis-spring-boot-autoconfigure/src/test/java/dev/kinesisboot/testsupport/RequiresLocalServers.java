package dev.kinesisboot.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an integration test class that needs local servers. Before the first test, each
 * server is probed: under {@code CI=true} a missing server fails the tests; elsewhere
 * they are skipped with a message that says how to start it. Test methods and
 * constructors may take {@link LocalKinesis}, {@link LocalDynamoDb} and
 * {@link LocalRedis} parameters.
 * <p>
 * With {@code -Dkinesisboot.test.backend=localstack} (Maven profile {@code localstack})
 * the same tests run against LocalStack and Redis containers started through
 * Testcontainers (Docker needed).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(LocalServersExtension.class)
public @interface RequiresLocalServers {

	/**
	 * The servers the tests need.
	 * @return the servers
	 */
	LocalServer[] value();

}
