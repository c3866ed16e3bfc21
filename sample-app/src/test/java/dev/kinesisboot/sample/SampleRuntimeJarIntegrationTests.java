package dev.kinesisboot.sample;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runnable jar a user deploys holds no development machinery: no test module, no
 * class or script that installs or starts an emulator. (Failsafe runs after the jar is
 * repackaged.)
 */
class SampleRuntimeJarIntegrationTests {

	@Test
	void theRuntimeJarHasNoEmulatorCode() throws IOException {
		Path jar;
		try (Stream<Path> files = Files.list(Path.of("target"))) {
			jar = files.filter((file) -> file.getFileName().toString().matches("sample-app-.*-exec\\.jar"))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("no sample-app-*-exec.jar in target; run mvn package"));
		}
		List<String> libraries = new ArrayList<>();
		List<String> offending = new ArrayList<>();
		try (JarFile application = new JarFile(jar.toFile())) {
			for (JarEntry entry : application.stream().toList()) {
				String name = entry.getName();
				if (isEmulatorCode(name)) {
					offending.add(name);
				}
				if (name.startsWith("BOOT-INF/lib/") && name.endsWith(".jar")) {
					libraries.add(name);
					try (InputStream in = application.getInputStream(entry);
							JarInputStream library = new JarInputStream(in)) {
						for (JarEntry inner = library.getNextJarEntry(); inner != null; inner = library
							.getNextJarEntry()) {
							if (isEmulatorCode(inner.getName())) {
								offending.add(name + "!/" + inner.getName());
							}
						}
					}
				}
			}
		}
		assertThat(libraries).anyMatch((name) -> name.contains("kinesis-spring-boot-autoconfigure"))
			.noneMatch((name) -> name.contains("kinesis-spring-boot-test"));
		assertThat(offending).isEmpty();
	}

	private static boolean isEmulatorCode(String name) {
		return name.contains("LocalKinesisEmulator") || name.contains("META-INF/kinesis-local/")
				|| name.startsWith("dev/kinesisboot/test/") || name.contains("TestSampleApplication");
	}

}
