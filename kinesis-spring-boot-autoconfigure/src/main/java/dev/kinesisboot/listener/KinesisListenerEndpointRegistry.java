package dev.kinesisboot.listener;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.springframework.context.SmartLifecycle;

/**
 * Owns the containers of every {@link KinesisListener} method, starts them after
 * everything else and stops them first. Use {@link #getListenerContainer(String)} to stop
 * or start one. Thread-safe.
 */
public class KinesisListenerEndpointRegistry implements SmartLifecycle {

	private final Map<String, KinesisListenerContainer> containers = new LinkedHashMap<>();

	private volatile boolean running;

	/**
	 * Creates and registers the container of an endpoint.
	 * @param endpoint the endpoint
	 * @param factory the factory that builds its container
	 * @return the container, started at once when the registry already runs
	 * @throws IllegalStateException when the id is taken
	 */
	public synchronized KinesisListenerContainer registerListenerContainer(KinesisListenerEndpoint endpoint,
			KinesisListenerContainerFactory factory) {
		if (this.containers.containsKey(endpoint.id())) {
			throw new IllegalStateException("Another @KinesisListener already has the id '" + endpoint.id()
					+ "'; give each listener a unique id");
		}
		KinesisListenerContainer container = factory.createContainer(endpoint);
		this.containers.put(endpoint.id(), container);
		if (this.running && container.isAutoStartup()) {
			container.start();
		}
		return container;
	}

	/**
	 * A container by id.
	 * @param id the id
	 * @return the container, or {@code null}
	 */
	public synchronized KinesisListenerContainer getListenerContainer(String id) {
		return this.containers.get(id);
	}

	/**
	 * Every container.
	 * @return the containers
	 */
	public synchronized Collection<KinesisListenerContainer> getListenerContainers() {
		return List.copyOf(this.containers.values());
	}

	/**
	 * Starts every auto-startup container. When one fails to start, the ones started
	 * before it are stopped again before the failure is passed on: Spring does not stop a
	 * lifecycle bean whose start failed, so nothing of a failed start-up is left reading.
	 */
	@Override
	public synchronized void start() {
		List<KinesisListenerContainer> started = new ArrayList<>();
		try {
			for (KinesisListenerContainer container : this.containers.values()) {
				if (container.isAutoStartup()) {
					container.start();
					started.add(container);
				}
			}
		}
		catch (RuntimeException | Error ex) {
			stopAll(started).join();
			throw ex;
		}
		this.running = true;
	}

	@Override
	public void stop() {
		stopAsync().join();
	}

	/**
	 * Stops every container at once without blocking the caller (Spring's shutdown goes
	 * on with other phases meanwhile), then runs the callback.
	 * @param callback called once every container stopped
	 */
	@Override
	public void stop(Runnable callback) {
		stopAsync().whenComplete((ok, error) -> callback.run());
	}

	private CompletableFuture<Void> stopAsync() {
		List<KinesisListenerContainer> toStop;
		synchronized (this) {
			this.running = false;
			toStop = new ArrayList<>(this.containers.values());
		}
		return stopAll(toStop);
	}

	private static CompletableFuture<Void> stopAll(List<KinesisListenerContainer> containers) {
		return CompletableFuture
			.allOf(containers.stream().map(KinesisListenerContainer::stopAsync).toArray(CompletableFuture[]::new));
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
