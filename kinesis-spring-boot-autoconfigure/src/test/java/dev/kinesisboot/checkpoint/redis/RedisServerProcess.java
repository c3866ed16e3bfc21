package dev.kinesisboot.checkpoint.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;

/**
 * A redis-server of a test's own, on a free loopback port, so that a test may stop and
 * restart it without disturbing the shared server of the other tests. Saves its data to a
 * directory when shut down with {@link #shutdownSaving()} and loads it again on
 * {@link #start()}.
 */
public final class RedisServerProcess implements AutoCloseable {

	private final Path binary;

	private final Path directory;

	private final int port;

	private Process process;

	private RedisServerProcess(Path binary, Path directory, int port) {
		this.binary = binary;
		this.directory = directory;
		this.port = port;
	}

	/**
	 * The redis-server binary on the PATH.
	 * @return the binary, empty when there is none
	 */
	public static Optional<Path> binary() {
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		return Stream.of(path.split(File.pathSeparator))
			.map((dir) -> Path.of(dir, "redis-server"))
			.filter(Files::isExecutable)
			.findFirst();
	}

	/**
	 * Starts a server on a free port, keeping its data in a new temporary directory.
	 * @param binary the redis-server binary
	 * @return the running server
	 * @throws IOException when it cannot be started
	 */
	public static RedisServerProcess start(Path binary) throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		RedisServerProcess server = new RedisServerProcess(binary, Files.createTempDirectory("redis-test"), port);
		server.start();
		return server;
	}

	public int port() {
		return this.port;
	}

	/**
	 * Starts the server (again), loading what it saved.
	 * @throws IOException when it cannot be started
	 */
	void start() throws IOException {
		this.process = new ProcessBuilder(
				List.of(this.binary.toString(), "--bind", "127.0.0.1", "--port", Integer.toString(this.port), "--save",
						"", "--appendonly", "no", "--dir", this.directory.toString(), "--dbfilename", "dump.rdb"))
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.directory.resolve("redis.log").toFile()))
			.start();
		Awaitility.await("redis-server on port " + this.port)
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.ignoreExceptions()
			.until(() -> "+PONG".equals(command("PING")));
	}

	/**
	 * Saves the data and stops the server, as an orderly restart does.
	 * @throws InterruptedException when interrupted while waiting for it to stop
	 */
	void shutdownSaving() throws InterruptedException {
		try {
			command("SHUTDOWN SAVE");
		}
		catch (IOException ex) {
			// the server closes the connection as it stops
		}
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			throw new IllegalStateException("redis-server on port " + this.port + " did not stop");
		}
	}

	/**
	 * Makes the server hold back its answers to every client for a while.
	 * @param duration how long
	 * @throws IOException when the server cannot be reached
	 */
	void pauseClients(Duration duration) throws IOException {
		String reply = command("CLIENT PAUSE " + duration.toMillis() + " ALL");
		if (!"+OK".equals(reply)) {
			throw new IllegalStateException("CLIENT PAUSE answered " + reply);
		}
	}

	private String command(String inline) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 1000);
			socket.setSoTimeout(2000);
			OutputStream out = socket.getOutputStream();
			out.write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			StringBuilder line = new StringBuilder();
			for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
				line.append((char) c);
			}
			return line.toString();
		}
	}

	@Override
	public void close() throws Exception {
		if (this.process != null && this.process.isAlive()) {
			this.process.destroy();
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		try (Stream<Path> files = Files.list(this.directory)) {
			for (Path file : files.toList()) {
				Files.deleteIfExists(file);
			}
		}
		Files.deleteIfExists(this.directory);
	}

}
