package dev.kinesisboot.test;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.kinesisboot.autoconfigure.KinesisConnectionDetails;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Acts on {@link EnableLocalKinesis}: starts (or reuses) the JVM's local Kinesis, creates
 * the streams and registers its {@link KinesisConnectionDetails} before the test's
 * context is refreshed. Registered in {@code META-INF/spring.factories}.
 */
class LocalKinesisContextCustomizerFactory implements ContextCustomizerFactory {

	@Override
	public ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		EnableLocalKinesis annotation = TestContextAnnotationUtils.findMergedAnnotation(testClass,
				EnableLocalKinesis.class);
		return (annotation != null) ? new LocalKinesisContextCustomizer(annotation.streams(), annotation.shards())
				: null;
	}

	/**
	 * Equal for equal streams and shard counts, so Spring caches the context across test
	 * classes that ask for the same.
	 */
	static final class LocalKinesisContextCustomizer implements ContextCustomizer {

		private final String[] streams;

		private final int shards;

		LocalKinesisContextCustomizer(String[] streams, int shards) {
			if (shards < 1) {
				throw new IllegalArgumentException(
						"@EnableLocalKinesis(shards = " + shards + "): a stream needs at least one shard");
			}
			this.streams = streams.clone();
			this.shards = shards;
		}

		@Override
		public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
			LocalKinesisEmulator emulator = LocalKinesisEmulator.shared();
			emulator.createStreams(this.shards, this.streams);
			context.getBeanFactory().registerSingleton("localKinesisConnectionDetails", emulator.connectionDetails());
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof LocalKinesisContextCustomizer that && this.shards == that.shards
					&& Arrays.equals(this.streams, that.streams);
		}

		@Override
		public int hashCode() {
			return Objects.hash(this.shards, Arrays.hashCode(this.streams));
		}

	}

}
