package dev.kinesisboot.test.example;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kinesisboot.listener.KinesisListener;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A small application of the kind the test module is for: it sends orders with
 * {@code KinesisTemplate} and a listener receives them.
 */
@SpringBootApplication
public class OrdersApplication {

	static final String STREAM = "example-orders";

	@Bean
	Received received() {
		return new Received();
	}

	@Bean
	OrderListener orderListener(Received received) {
		return new OrderListener(received);
	}

	/**
	 * An order.
	 *
	 * @param id the order id
	 * @param amount the amount
	 */
	public record Order(String id, int amount) {
	}

	/** What the listener received. */
	public static class Received {

		final List<Order> orders = new CopyOnWriteArrayList<>();

	}

	/** The listener under test. */
	public static class OrderListener {

		private final Received received;

		OrderListener(Received received) {
			this.received = received;
		}

		@KinesisListener(id = "orders", streams = STREAM)
		public void on(Order order) {
			this.received.orders.add(order);
		}

	}

}
