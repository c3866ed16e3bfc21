package dev.kinesisboot.checkpoint;

import dev.kinesisboot.testsupport.LocalServer;
import dev.kinesisboot.testsupport.RequiresLocalServers;

/**
 * The checkpointer contract against {@link MemoryCheckpointer}s sharing one
 * {@link MemoryCheckpointer.Store}, as the workers of one JVM do.
 */
@RequiresLocalServers(LocalServer.KINESIS)
class MemoryCheckpointerIntegrationTests extends CheckpointerContractTests {

	private static final MemoryCheckpointer.Store STORE = new MemoryCheckpointer.Store();

	@Override
	protected Checkpointer newCheckpointer(CheckpointerSettings settings) {
		return new MemoryCheckpointer(settings, STORE);
	}

	@Override
	protected String storeName() {
		return "memory";
	}

	@Override
	protected boolean reportsToTheDefaultCollectorUntilBound() {
		// AbstractCheckpointer starts with the no-op collector, not KinesisMetrics'
		// default
		return false;
	}

}
