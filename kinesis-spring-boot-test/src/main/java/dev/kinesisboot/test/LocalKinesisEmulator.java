package dev.kinesisboot.test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.kinesisboot.autoconfigure.KinesisConnectionDetails;
import dev.kinesisboot.support.Streams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Runs kinesis-local (the kinesis-mock engine, from npm) on 127.0.0.1, for tests and for
 * running an application locally. Installs the pinned npm package into a cache folder on
 * first use (Node.js and npm must be on the PATH), waits until it answers, and stops it
 * on {@link #close()}. {@link #shared()} gives one instance per JVM, stopped when the JVM
 * exits, so test classes (and the application contexts Spring caches between them) share
 * it.
 */
public class LocalKinesisEmulator implements AutoCloseable {

	/**
	 * The system property naming the folder kinesis-local is installed into (default
	 * {@code ~/.cache/kinesis-spring-boot}).
	 */
	public static final String CACHE_DIRECTORY_PROPERTY = "kinesisboot.local-kinesis.cache-directory";

	private static LocalKinesisEmulator shared;

	/** The region the emulator is addressed with. */
	public static final String REGION = "us-east-1";

	/** The kinesis-local version started. */
	public static final String VERSION = "0.6.2";

	private static final Logger logger = LoggerFactory.getLogger(LocalKinesisEmulator.class);

	private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

	private final Process process;

	private final URI endpoint;

	/**
	 * Installs (when needed) and starts the emulator.
	 * @param cacheDirectory where the npm package is installed
	 * @param port the plain HTTP port, or 0 for a free one
	 * @throws IllegalStateException when npm is missing or the emulator does not answer
	 */
	public LocalKinesisEmulator(Path cacheDirectory, int port) {
		this(cacheDirectory, port, "npm", "node");
	}

	/**
	 * Installs (when needed) and starts the emulator with the given commands.
	 * @param cacheDirectory where the npm package is installed
	 * @param port the plain HTTP port, or 0 for a free one
	 * @param npmCommand the npm command
	 * @param nodeCommand the node command
	 */
	LocalKinesisEmulator(Path cacheDirectory, int port, String npmCommand, String nodeCommand) {
		try {
			Path main = install(cacheDirectory, npmCommand);
			int plainPort = (port != 0) ? port : freePort();
			Path preload = cacheDirectory.resolve("listen-loopback.js");
			try (InputStream script = getClass().getResourceAsStream("/META-INF/kinesis-local/listen-loopback.js")) {
				Files.copy(script, preload, StandardCopyOption.REPLACE_EXISTING);
			}
			ProcessBuilder builder = new ProcessBuilder(nodeCommand, "--require", preload.toString(), main.toString())
				.directory(cacheDirectory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(cacheDirectory.resolve("kinesis-local.log").toFile());
			Map<String, String> env = builder.environment();
			env.put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(plainPort));
			env.put("KINESIS_MOCK_TLS_PORT", Integer.toString(freePort()));
			env.put("KINESIS_MOCK_CERT_PATH", main.resolveSibling("server.json").toString());
			env.put("LOG_LEVEL", "WARN");
			for (String operation : List.of("CREATE_STREAM", "DELETE_STREAM", "SPLIT_SHARD", "MERGE_SHARDS",
					"UPDATE_SHARD_COUNT", "REGISTER_STREAM_CONSUMER", "DEREGISTER_STREAM_CONSUMER")) {
				env.put(operation + "_DURATION", "10ms");
			}
			this.process = builder.start();
			this.endpoint = URI.create("http://127.0.0.1:" + plainPort);
			awaitAnswer(plainPort);
			logger.info("kinesis-local {} runs at {} (log: {})", VERSION, this.endpoint,
					cacheDirectory.resolve("kinesis-local.log"));
		}
		catch (IOException ex) {
			throw new IllegalStateException(
					"Could not start kinesis-local: " + ex.getMessage()
							+ "; it needs Node.js and npm on the PATH (and the npm registry reachable on first use)",
					ex);
		}
	}

	/**
	 * The emulator of this JVM, started on first use and stopped when the JVM exits.
	 * @return the running emulator
	 */
	public static synchronized LocalKinesisEmulator shared() {
		if (shared == null || !shared.process.isAlive()) {
			LocalKinesisEmulator started = new LocalKinesisEmulator(defaultCacheDirectory(), 0);
			Runtime.getRuntime().addShutdownHook(new Thread(started::close, "kinesis-local-stop"));
			shared = started;
		}
		return shared;
	}

	/**
	 * Where kinesis-local is installed unless told otherwise.
	 * @return the {@value #CACHE_DIRECTORY_PROPERTY} system property, or
	 * {@code ~/.cache/kinesis-spring-boot}
	 */
	public static Path defaultCacheDirectory() {
		String configured = System.getProperty(CACHE_DIRECTORY_PROPERTY);
		return (configured != null) ? Path.of(configured)
				: Path.of(System.getProperty("user.home"), ".cache", "kinesis-spring-boot");
	}

	/**
	 * Connection details for an application context: this endpoint, region
	 * {@code us-east-1} and the credentials {@code local}/{@code local} (the emulator
	 * checks none).
	 * @return the connection details
	 */
	public KinesisConnectionDetails connectionDetails() {
		URI endpoint = this.endpoint;
		return new KinesisConnectionDetails() {

			@Override
			public URI getEndpoint() {
				return endpoint;
			}

			@Override
			public String getRegion() {
				return REGION;
			}

			@Override
			public String getAccessKey() {
				return "local";
			}

			@Override
			public String getSecretKey() {
				return "local";
			}

		};
	}

	/**
	 * A client of the emulator, for a test's own calls; the caller closes it.
	 * @return a new client
	 */
	public KinesisAsyncClient newClient() {
		return KinesisAsyncClient.builder()
			.endpointOverride(this.endpoint)
			.region(Region.of(REGION))
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
			.httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1))
			.build();
	}

	/**
	 * Creates streams unless they exist, and waits until they are ACTIVE.
	 * @param shardCount the shard count of each stream created
	 * @param streamNames the streams
	 */
	public void createStreams(int shardCount, String... streamNames) {
		try (KinesisAsyncClient client = newClient()) {
			for (String stream : streamNames) {
				Streams.ensureExists(client, stream, true, shardCount, "create it");
			}
		}
	}

	/**
	 * Where the emulator answers.
	 * @return for example {@code http://127.0.0.1:45123}
	 */
	public URI endpoint() {
		return this.endpoint;
	}

	/**
	 * Stops the emulator.
	 */
	@Override
	public void close() {
		this.process.descendants().forEach(ProcessHandle::destroy);
		this.process.destroy();
		try {
			if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
	}

	private static Path install(Path cacheDirectory, String npmCommand) throws IOException {
		Path main = cacheDirectory.resolve("node_modules/kinesis-local/main.js");
		if (Files.exists(main)) {
			return main;
		}
		Files.createDirectories(cacheDirectory);
		logger.info("Installing kinesis-local {} into {}", VERSION, cacheDirectory);
		Process npm = new ProcessBuilder(npmCommand, "install", "--no-audit", "--no-fund", "--loglevel=error",
				"--prefix", cacheDirectory.toString(), "kinesis-local@" + VERSION)
			.redirectErrorStream(true)
			.redirectOutput(cacheDirectory.resolve("npm-install.log").toFile())
			.start();
		try {
			if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0 || !Files.exists(main)) {
				throw new IOException("npm install kinesis-local@" + VERSION + " failed; see "
						+ cacheDirectory.resolve("npm-install.log"));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted while installing kinesis-local", ex);
		}
		return main;
	}

	private void awaitAnswer(int port) throws IOException {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IOException("kinesis-local exited with " + this.process.exitValue());
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
				return;
			}
			catch (IOException notYet) {
				try {
					// a short poll while the emulator boots (it takes a few seconds)
					TimeUnit.MILLISECONDS.sleep(200);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IOException("interrupted while waiting for kinesis-local", ex);
				}
			}
		}
		close();
		throw new IOException("kinesis-local did not answer on port " + port + " within " + START_TIMEOUT);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
