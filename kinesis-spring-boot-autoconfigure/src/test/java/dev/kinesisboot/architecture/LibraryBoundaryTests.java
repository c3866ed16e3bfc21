package dev.kinesisboot.architecture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Library code stays usable without Spring Boot: only
 * {@code dev.kinesisboot.autoconfigure} may import {@code org.springframework.boot}.
 * Every package says in a package-info what it holds, and the packages depend on each
 * other without cycles.
 */
class LibraryBoundaryTests {

	private static final Path SOURCES = Path.of("src/main/java/dev/kinesisboot");

	/**
	 * A string literal naming a property of the starter, such as kinesis.consumer.mode.
	 */
	private static final Pattern PROPERTY_IN_STRING = Pattern.compile("\"[^\"]*kinesis\\.[a-z-]+\\.[a-z]");

	/** A type of ours named in code: group 1 is its package below dev.kinesisboot. */
	private static final Pattern TYPE_REFERENCE = Pattern
		.compile("dev\\.kinesisboot\\.([a-z][a-z0-9]*(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");

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
	void libraryMessagesNameLibraryOptionsNotSpringProperties() throws IOException {
		try (Stream<Path> files = Files.walk(SOURCES)) {
			List<String> offenders = files.filter((file) -> file.toString().endsWith(".java"))
				.filter((file) -> !SOURCES.relativize(file).startsWith("autoconfigure"))
				.flatMap(LibraryBoundaryTests::propertyKeysInStrings)
				.toList();
			assertThat(offenders).as("kinesis.* property keys in library strings (the failure analyzers add them)")
				.isEmpty();
		}
	}

	private static Stream<String> propertyKeysInStrings(Path file) {
		try {
			return Files.readAllLines(file)
				.stream()
				.filter((line) -> PROPERTY_IN_STRING.matcher(line).find())
				.map((line) -> SOURCES.relativize(file) + ": " + line.strip());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
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

	@Test
	void packagesDependOnEachOtherWithoutCycles() throws IOException {
		Map<String, Set<String>> uses = new TreeMap<>();
		try (Stream<Path> files = Files.walk(SOURCES)) {
			for (Path file : files.filter((path) -> path.toString().endsWith(".java")).toList()) {
				String from = packageOf(file);
				Set<String> targets = uses.computeIfAbsent(from, (name) -> new TreeSet<>());
				for (String line : Files.readAllLines(file)) {
					String code = line.strip();
					if (code.startsWith("*") || code.startsWith("/") || code.startsWith("package ")) {
						continue;
					}
					Matcher reference = TYPE_REFERENCE.matcher(code);
					while (reference.find()) {
						if (!reference.group(1).equals(from)) {
							targets.add(reference.group(1));
						}
					}
				}
			}
		}
		List<String> cycles = new ArrayList<>();
		for (String start : uses.keySet()) {
			List<String> path = pathBack(uses, start, start, new ArrayList<>(List.of(start)), new TreeSet<>());
			if (path != null) {
				cycles.add(String.join(" -> ", path));
			}
		}
		assertThat(cycles).as("package cycles (code, not comments, of %s)", uses).isEmpty();
	}

	private static String packageOf(Path file) {
		return SOURCES.relativize(file.getParent()).toString().replace('/', '.');
	}

	/** A path of dependencies from {@code at} back to {@code start}, or {@code null}. */
	private static List<String> pathBack(Map<String, Set<String>> uses, String start, String at, List<String> path,
			Set<String> seen) {
		for (String next : uses.getOrDefault(at, Set.of())) {
			if (next.equals(start)) {
				List<String> cycle = new ArrayList<>(path);
				cycle.add(start);
				return cycle;
			}
			if (seen.add(next)) {
				path.add(next);
				List<String> found = pathBack(uses, start, next, path, seen);
				if (found != null) {
					return found;
				}
				path.remove(path.size() - 1);
			}
		}
		return null;
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
