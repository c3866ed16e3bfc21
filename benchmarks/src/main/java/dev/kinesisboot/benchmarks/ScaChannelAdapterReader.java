package dev.kinesisboot.benchmarks;

import java.util.function.Consumer;

import io.awspring.cloud.kinesis.integration.KinesisMessageDrivenChannelAdapter;
import io.awspring.cloud.kinesis.integration.KinesisShardOffset;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.messaging.MessageChannel;

import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * The consumer peer: Spring Cloud AWS's {@code KinesisMessageDrivenChannelAdapter} (the
 * polling adapter, not the KCL one) with its defaults: in-memory checkpoint store, one
 * record per message, checkpoint per batch, 1 s idle between empty polls, up to 10,000
 * records per GetRecords. Only the converter is set, to hand the raw bytes on (its
 * default expects Java-serialized payloads).
 */
final class ScaChannelAdapterReader implements AutoCloseable {

	private final AnnotationConfigApplicationContext context;

	private final KinesisMessageDrivenChannelAdapter adapter;

	private ScaChannelAdapterReader(AnnotationConfigApplicationContext context,
			KinesisMessageDrivenChannelAdapter adapter) {
		this.context = context;
		this.adapter = adapter;
	}

	/**
	 * Starts reading every shard of a stream.
	 * @param fromStart TRIM_HORIZON when true, LATEST otherwise
	 */
	static ScaChannelAdapterReader start(KinesisAsyncClient client, String stream, boolean fromStart,
			Consumer<byte[]> handler) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(
				ScenarioRunner.IntegrationConfiguration.class);
		KinesisMessageDrivenChannelAdapter adapter = new KinesisMessageDrivenChannelAdapter(client, stream);
		adapter.setStreamInitialSequence(fromStart ? KinesisShardOffset.trimHorizon() : KinesisShardOffset.latest());
		adapter.setConverter((bytes) -> bytes);
		MessageChannel output = (message, timeout) -> {
			handler.accept((byte[]) message.getPayload());
			return true;
		};
		adapter.setOutputChannel(output);
		adapter.setBeanFactory(context.getBeanFactory());
		adapter.afterPropertiesSet();
		adapter.start();
		return new ScaChannelAdapterReader(context, adapter);
	}

	@Override
	public void close() {
		this.adapter.stop();
		this.adapter.destroy();
		this.context.close();
	}

}
