package dev.kinesisboot.sample;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.kinesisboot.producer.KinesisOperations;
import dev.kinesisboot.producer.PutResult;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Accepts orders and publishes them as events; shows the events the listener received.
 */
@RestController
class OrderController {

	private final KinesisOperations kinesis;

	private final OrderListener listener;

	private final String stream;

	OrderController(KinesisOperations kinesis, OrderListener listener, @Value("${orders.stream}") String stream) {
		this.kinesis = kinesis;
		this.listener = listener;
		this.stream = stream;
	}

	@PostMapping("/orders")
	PutResult placeOrder(@RequestBody NewOrder order) {
		OrderEvent event = new OrderEvent(UUID.randomUUID().toString(), order.customerId(), order.amount(),
				Instant.now());
		// the customer is the partition key: one customer's orders stay in order
		return this.kinesis.send(this.stream, order.customerId(), event).join();
	}

	@GetMapping("/orders/received")
	List<OrderEvent> received() {
		return this.listener.recent();
	}

	record NewOrder(String customerId, BigDecimal amount) {
	}

}
