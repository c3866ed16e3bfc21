package dev.kinesisboot.sample;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import dev.kinesisboot.listener.KinesisListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Consumes order events and keeps the last hundred for {@code GET /orders/received}.
 */
@Component
class OrderListener {

	private static final Logger logger = LoggerFactory.getLogger(OrderListener.class);

	private final Deque<OrderEvent> recent = new ArrayDeque<>();

	@KinesisListener(id = "orders", streams = "${orders.stream}")
	void onOrder(OrderEvent event) {
		logger.info("Received order {} of customer {} for {}", event.orderId(), event.customerId(), event.amount());
		synchronized (this.recent) {
			this.recent.addFirst(event);
			while (this.recent.size() > 100) {
				this.recent.removeLast();
			}
		}
	}

	List<OrderEvent> recent() {
		synchronized (this.recent) {
			return List.copyOf(this.recent);
		}
	}

}
