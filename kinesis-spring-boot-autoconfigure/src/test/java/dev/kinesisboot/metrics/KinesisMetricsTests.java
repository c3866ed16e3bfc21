package dev.kinesisboot.metrics;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class KinesisMetricsTests {

	@AfterEach
	void reset() {
		KinesisMetrics.reset();
	}

	@Test
	void defaultIsNoOp() {
		assertThat(KinesisMetrics.getMetricsCollector()).isSameAs(NoOpMetricsCollector.INSTANCE);
	}

	@Test
	void setThenResetRestoresNoOp() {
		InMemoryMetricsCollector metrics = new InMemoryMetricsCollector();
		KinesisMetrics.setMetricsCollector(metrics);
		assertThat(KinesisMetrics.getMetricsCollector()).isSameAs(metrics);
		KinesisMetrics.reset();
		assertThat(KinesisMetrics.getMetricsCollector()).isSameAs(NoOpMetricsCollector.INSTANCE);
	}

	@Test
	void explicitCollectorWinsOverTheGlobalOne() {
		InMemoryMetricsCollector global = new InMemoryMetricsCollector();
		InMemoryMetricsCollector own = new InMemoryMetricsCollector();
		KinesisMetrics.setMetricsCollector(global);
		assertThat(KinesisMetrics.orDefault(own)).isSameAs(own);
		assertThat(KinesisMetrics.orDefault(null)).isSameAs(global);
	}

	@Test
	void nullIsRejectedWithTheWayToDisable() {
		assertThatNullPointerException().isThrownBy(() -> KinesisMetrics.setMetricsCollector(null))
			.withMessageContaining("KinesisMetrics.reset()");
	}

}
