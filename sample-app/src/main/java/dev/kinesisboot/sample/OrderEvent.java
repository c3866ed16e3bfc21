package dev.kinesisboot.sample;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An order event as it travels through the stream (JSON).
 *
 * @param orderId the order
 * @param customerId who ordered
 * @param amount how much
 * @param createdAt when the order was placed
 */
public record OrderEvent(String orderId, String customerId, BigDecimal amount, Instant createdAt) {
}
