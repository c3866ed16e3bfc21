package dev.kinesisboot.faults;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;

/**
 * A server process of a test's own (redis-server, dynalite) on a free loopback port, that
 * the test may kill with SIGKILL and start again on the same port.
 * <p>
 * Not thread-safe: one test thread drives it.
 */
final class ServerProcess implements AutoCloseable {

	private final String name;

	private final List<String> command;

	private final int port;

	private final Path log;

	private Process process;

	private ServerProcess(String name, List<String> command, int port, Path log) {
		this.name = name;
		this.command = command;
		this.port = port;
		this.log = log;
	}

	/**
	 * A redis-server without persistence: a restart forgets every key.
	 * @param binary the redis-server binary
	 * @param directory where its log goes
	 * @return the server, not started yet
	 * @throws IOException when no port is free
	 */
	static ServerProcess redis(Path binary, Path directory) throws IOException {
		int port = freePort();
		return new ServerProcess("redis-server",
				List.of(binary.toString(), "--bind", "127.0.0.1", "--port", Integer.toString(port), "--save", "",
						"--appendonly", "no", "--daemonize", "no", "--dir", directory.toString()),
				port, directory.resolve("redis.log"));
	}

	/**
	 * A dynalite keeping its tables in LevelDB files, so they outlive a restart.
	 * @param cli dynalite's {@code cli.js}
	 * @param directory where its data and log go
	 * @return the server, not started yet
	 * @throws IOException when no port is free
	 */
	static ServerProcess dynalite(Path cli, Path directory) throws IOException {
		int port = freePort();
		List<String> command = new ArrayList<>(List.of("node", cli.toString(), "--host", "127.0.0.1", "--port",
				Integer.toString(port), "--path", directory.resolve("data").toString()));
		command.addAll(List.of("--createTableMs", "10", "--deleteTableMs", "10", "--updateTableMs", "10"));
		return new ServerProcess("dynalite", command, port, directory.resolve("dynalite.log"));
	}

	/**
	 * An executable on the PATH.
	 * @param name its name
	 * @return its path, empty when there is none
	 */
	static Optional<Path> onPath(String name) {
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		return Stream.of(path.split(File.pathSeparator))
			.map((dir) -> Path.of(dir, name))
			.filter(Files::isExecutable)
			.findFirst();
	}

	/**
	 * dynalite's {@code cli.js} as {@code scripts/start-local-servers.sh} installs it,
	 * looked up from the working directory upwards.
	 * @return its path, empty when not installed
	 */
	static Optional<Path> dynaliteCli() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			Path cli = dir.resolve("scripts/node_modules/dynalite/cli.js");
			if (Files.isRegularFile(cli)) {
				return Optional.of(cli);
			}
		}
		return Optional.empty();
	}

	int port() {
		return this.port;
	}

	/**
	 * Starts the server (again) and waits until it accepts connections.
	 * @throws IOException when it cannot be started
	 */
	void start() throws IOException {
		this.process = new ProcessBuilder(this.command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()))
			.start();
		Awaitility.await(this.name + " on port " + this.port + " (log: " + this.log + ")")
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.until(this::accepts);
	}

	/**
	 * Kills the server with SIGKILL, as a crash would, and waits until it is gone.
	 * @throws InterruptedException when interrupted while waiting
	 */
	void kill() throws InterruptedException {
		this.process.destroyForcibly();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			throw new IllegalStateException(this.name + " on port " + this.port + " did not die");
		}
	}

	boolean isAlive() {
		return this.process != null && this.process.isAlive();
	}

	private boolean accepts() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process != null && this.process.isAlive()) {
			kill();
		}
	}

}
