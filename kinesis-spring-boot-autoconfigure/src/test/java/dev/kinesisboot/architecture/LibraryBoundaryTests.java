package dev.kinesisboot.architecture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Library code stays usable without Spring Boot: only
 * {@code dev.kinesisboot.autoconfigure} may import {@code org.springframework.boot}.
 * Every package says in a package-info what it holds.
 */
class LibraryBoundaryTests {

	private static final Path SOURCES = Path.of("src/main/java/dev/kinesisboot");

	@Test
	void onlyAutoconfigureImportsSpringBoot() throws IOException {
		try (Stream<Path> files = Files.walk(SOURCES)) {
			List<Path> offenders = files.filter((file) -> file.toString().endsWith(".java"))
				.filter((file) -> !SOURCES.relativize(file).startsWith("autoconfigure"))
				.filter(LibraryBoundaryTests::importsSpringBoot)
				.toList();
			assertThat(offenders).as("library classes importing org.springframework.boot").isEmpty();
		}
	}

	@Test
	void everyPackageHasAPackageInfo() throws IOException {
		try (Stream<Path> dirs = Files.walk(SOURCES)) {
			List<Path> missing = dirs.filter(Files::isDirectory)
				.filter(LibraryBoundaryTests::holdsJava)
				.filter((dir) -> !Files.exists(dir.resolve("package-info.java")))
				.toList();
			assertThat(missing).as("packages without package-info.java").isEmpty();
		}
	}

	private static boolean importsSpringBoot(Path file) {
		try {
			return Files.readAllLines(file)
				.stream()
				.anyMatch((line) -> line.startsWith("import org.springframework.boot")
						|| line.startsWith("import static org.springframework.boot"));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean holdsJava(Path dir) {
		try (Stream<Path> files = Files.list(dir)) {
			return files.anyMatch((file) -> file.toString().endsWith(".java"));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
