package dev.kinesisboot.test.example;

import java.time.Duration;

import dev.kinesisboot.producer.KinesisTemplate;
import dev.kinesisboot.test.EnableLocalKinesis;
import dev.kinesisboot.test.KinesisTestUtils;
import dev.kinesisboot.test.RecordedSends;
import dev.kinesisboot.test.RecordedSendsConfiguration;
import dev.kinesisboot.test.example.OrdersApplication.Order;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application test written only against the test module's public API: a local Kinesis
 * with the stream created, a template that sends, a listener that receives.
 */
@SpringBootTest(classes = OrdersApplication.class, properties = "kinesis.consumer.poll-interval=100ms")
@EnableLocalKinesis(streams = OrdersApplication.STREAM, shards = 2)
@Import(RecordedSendsConfiguration.class)
class OrdersApplicationIntegrationTests {

	@Autowired
	ApplicationContext context;

	@Autowired
	KinesisTemplate kinesis;

	@Autowired
	RecordedSends recorded;

	@Autowired
	KinesisAsyncClient client;

	@Autowired
	OrdersApplication.Received received;

	@Test
	void anOrderSentWithTheTemplateReachesTheListenerAndLiesInTheStream() {
		KinesisTestUtils.waitForShards(this.context, "orders");

		this.kinesis.send(OrdersApplication.STREAM, "o-1", new Order("o-1", 10)).join();
		this.kinesis.send(OrdersApplication.STREAM, "o-2", new Order("o-2", 20)).join();

		assertThat(this.recorded.payloads(OrdersApplication.STREAM)).containsExactly(new Order("o-1", 10),
				new Order("o-2", 20));
		assertThat(this.recorded.sent()).extracting(RecordedSends.Sent::partitionKey).containsExactly("o-1", "o-2");
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.received.orders).containsExactlyInAnyOrder(new Order("o-1", 10),
					new Order("o-2", 20)));
		assertThat(KinesisTestUtils.readAll(this.client, OrdersApplication.STREAM, Order.class))
			.containsExactlyInAnyOrder(new Order("o-1", 10), new Order("o-2", 20));
	}

}
