package dev.kinesisboot.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy that forwards every connection to a target port and can cut them
 * all at once. While cut, it accepts new connections and closes them at once, as a
 * flapping network or a restarting load balancer does.
 * <p>
 * Thread-safe: {@link #cut(Duration)} may be called from any thread while connections are
 * forwarded. Two threads copy each connection's bytes, one per direction.
 */
final class TcpFaultProxy implements AutoCloseable {

	private final int targetPort;

	private final ServerSocket server;

	private final ExecutorService threads = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "tcp-fault-proxy");
		thread.setDaemon(true);
		return thread;
	});

	private final Set<Connection> open = ConcurrentHashMap.newKeySet();

	private final AtomicInteger accepted = new AtomicInteger();

	private final AtomicInteger refused = new AtomicInteger();

	private final AtomicInteger cutConnections = new AtomicInteger();

	private volatile long refuseUntilNanos = System.nanoTime();

	private volatile boolean closed;

	/**
	 * Starts a proxy on a free loopback port.
	 * @param targetPort the loopback port to forward to
	 * @throws IOException when no port can be opened
	 */
	TcpFaultProxy(int targetPort) throws IOException {
		this.targetPort = targetPort;
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.threads.execute(this::acceptLoop);
	}

	/**
	 * The endpoint clients should use.
	 * @return for example {@code http://127.0.0.1:41234}
	 */
	URI endpoint() {
		return URI.create("http://127.0.0.1:" + this.server.getLocalPort());
	}

	/**
	 * Closes every open connection now and refuses new ones for a while; returns at once.
	 * @param duration how long new connections are refused
	 */
	void cut(Duration duration) {
		this.refuseUntilNanos = System.nanoTime() + duration.toNanos();
		for (Connection connection : this.open) {
			this.cutConnections.incrementAndGet();
			connection.close();
		}
	}

	/**
	 * Whether new connections are refused now.
	 * @return {@code true} during a cut
	 */
	boolean isCut() {
		return System.nanoTime() - this.refuseUntilNanos < 0;
	}

	/**
	 * Connections accepted and forwarded.
	 * @return the count
	 */
	int accepted() {
		return this.accepted.get();
	}

	/**
	 * Connections closed at once because they came during a cut.
	 * @return the count
	 */
	int refused() {
		return this.refused.get();
	}

	/**
	 * Forwarded connections closed by {@link #cut(Duration)}.
	 * @return the count
	 */
	int cutConnections() {
		return this.cutConnections.get();
	}

	private void acceptLoop() {
		while (!this.closed) {
			Socket client;
			try {
				client = this.server.accept();
			}
			catch (IOException ex) {
				return; // closed
			}
			if (isCut()) {
				this.refused.incrementAndGet();
				closeQuietly(client);
				continue;
			}
			this.threads.execute(() -> forward(client));
		}
	}

	private void forward(Socket client) {
		Socket upstream = new Socket();
		try {
			upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.targetPort), 5000);
		}
		catch (IOException ex) {
			closeQuietly(upstream);
			closeQuietly(client);
			return;
		}
		Connection connection = new Connection(client, upstream);
		this.open.add(connection);
		this.accepted.incrementAndGet();
		// a cut may have come between accept and here
		if (isCut() || this.closed) {
			connection.close();
		}
		this.threads.execute(() -> pump(connection, upstream, client));
		pump(connection, client, upstream);
	}

	private void pump(Connection connection, Socket from, Socket to) {
		byte[] buffer = new byte[16 * 1024];
		try {
			InputStream in = from.getInputStream();
			OutputStream out = to.getOutputStream();
			for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
				out.write(buffer, 0, read);
				out.flush();
			}
			// an orderly end of one direction: pass it on, as a real connection would
			to.shutdownOutput();
		}
		catch (IOException ex) {
			// cut, or reset by one side
			connection.close();
		}
		finally {
			if (connection.directionsDone.incrementAndGet() == 2) {
				connection.close();
				this.open.remove(connection);
			}
		}
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	@Override
	public void close() throws IOException {
		this.closed = true;
		this.server.close();
		this.open.forEach(Connection::close);
		this.threads.shutdownNow();
	}

	private static final class Connection {

		private final Socket client;

		private final Socket upstream;

		private final AtomicInteger directionsDone = new AtomicInteger();

		Connection(Socket client, Socket upstream) {
			this.client = client;
			this.upstream = upstream;
		}

		void close() {
			closeQuietly(this.client);
			closeQuietly(this.upstream);
		}

	}

}
