package dev.kinesisboot.testsupport;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class LocalServersExtensionTests {

	private static final URI NOWHERE = URI.create("http://127.0.0.1:1");

	@Test
	void missingServerFailsUnderCi() {
		assertThatIllegalStateException()
			.isThrownBy(() -> LocalServersExtension.checkAnswers(LocalServer.KINESIS, NOWHERE, false, true))
			.withMessageContaining("CI=true")
			.withMessageContaining("http://127.0.0.1:1")
			.withMessageContaining("scripts/start-local-servers.sh");
	}

	@Test
	void missingServerSkipsOutsideCiWithTheWayToStartIt() {
		assertThatExceptionOfType(TestAbortedException.class)
			.isThrownBy(() -> LocalServersExtension.checkAnswers(LocalServer.REDIS, NOWHERE, false, false))
			.withMessageContaining("Redis")
			.withMessageContaining("REDIS_URL")
			.withMessageContaining("scripts/start-local-servers.sh");
	}

	@Test
	void serverThatAnswersPasses() {
		assertThatCode(() -> LocalServersExtension.checkAnswers(LocalServer.DYNAMODB, NOWHERE, true, true))
			.doesNotThrowAnyException();
	}

	@Test
	void probeOfAClosedPortSaysNo() {
		org.assertj.core.api.Assertions.assertThat(LocalServer.answers(NOWHERE)).isFalse();
	}

}
