package dev.kinesisboot.test;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The helpers' failures say what is wrong.
 */
@SpringBootTest(classes = KinesisTestUtilsIntegrationTests.NoListeners.class)
@EnableLocalKinesis(streams = "utils-empty")
class KinesisTestUtilsIntegrationTests {

	@Autowired
	ApplicationContext context;

	@Test
	void waitingForAnUnknownContainerNamesTheKnownOnes() {
		assertThatIllegalArgumentException().isThrownBy(() -> KinesisTestUtils.waitForShards(this.context, "nope"))
			.withMessageContaining("No @KinesisListener container has the id 'nope'")
			.withMessageContaining("the ids are []");
	}

	@Test
	void readingAStreamThatDoesNotExistFails() {
		assertThatThrownBy(() -> KinesisTestUtils.readAll(
				this.context.getBean(software.amazon.awssdk.services.kinesis.KinesisAsyncClient.class),
				"no-such-stream"))
			.hasRootCauseInstanceOf(software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException.class);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class NoListeners {

	}

}
