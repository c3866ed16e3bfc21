package dev.kinesisboot.consumer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.random.RandomGenerator;

import dev.kinesisboot.checkpoint.Checkpointer;
import dev.kinesisboot.checkpoint.Lease;
import dev.kinesisboot.checkpoint.WorkerBeat;
import dev.kinesisboot.metrics.MetricLabels;
import dev.kinesisboot.metrics.MetricType;
import dev.kinesisboot.support.AwsErrors;
import dev.kinesisboot.support.Futures;
import dev.kinesisboot.support.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds this worker's leases and the readers of the shards they cover. A lease cycle runs
 * every third of the lease duration: renew every held lease at once, list the shards when
 * due, write this worker's heartbeat and read everyone's, and only when the heartbeats or
 * the shard list say something changed (see {@link #needsListing}) read every lease; then
 * balance: each live worker (one with a live heartbeat or lease) aims at ceil(readable
 * shards / live workers); under its target a worker takes free or expired leases (a few
 * at once, in random order), else takes leases from the workers holding the most, one
 * each, while they hold at least two more than it would; over it, it hands shards back
 * (stop, final checkpoint, release). A steady cycle costs one store call per held lease
 * plus one, whatever the number of shards.
 * <p>
 * A lease whose renewal the store refuses stops its reader at once. One that cannot be
 * renewed (errors, timeouts) stops its reader once the lease could be about to expire, as
 * {@link LeaseTiming} describes; a shard being handed over keeps being renewed until it
 * is released. Every store call is bounded by a timeout, so cycles never hang.
 * <p>
 * Thread-safe. Cycles never overlap.
 */
final class LeaseBalancer {

	private static final Logger logger = LoggerFactory.getLogger(LeaseBalancer.class);

	/** Takes sent at once when a cycle takes many leases. */
	private static final int PARALLEL_TAKES = 16;

	private final StreamContext context;

	private final Checkpointer store;

	private final ShardDirectory directory;

	private final LeaseTiming timing;

	private final Function<String, ShardReader> readers;

	private final ShardProgress progress;

	/** The leases of the last listing, and those taken since. */
	private volatile Map<String, Lease> lastListed = new ConcurrentHashMap<>();

	/**
	 * Increased when this worker frees shards the others should look at (a shard read to
	 * its end, whose children may now be read); sent with every heartbeat.
	 */
	private final AtomicLong changes = new AtomicLong();

	// the fields below are used by the running cycle only (cycles never overlap)

	private boolean beatsSupported = true;

	/** Cycles in a row whose heartbeats added up to fewer leases than readable shards. */
	private int unheldCycles;

	/** How many heartbeats the store counted for this worker at the last one. */
	private long ownBeatsWritten;

	/** Readable shards at the last listing; -1 before the first. */
	private int lastEligible = -1;

	private int listedDirectoryVersion;

	private long listedOwnChanges;

	/** Every worker's change counter as seen at the last listing (or first sight). */
	private final Map<String, Long> seenChanges = new HashMap<>();

	/**
	 * Whether the last listing showed leases held by workers that write no heartbeat (an
	 * older version during a rolling upgrade): then every cycle reads every lease.
	 */
	private boolean ownersWithoutBeats;

	private final Map<String, Held> held = new ConcurrentHashMap<>();

	/**
	 * Readers of shards whose lease was lost, until they stopped: a record may still be
	 * in a handler, so the shard is not taken again before that.
	 */
	private final Map<String, ShardReader> stopping = new ConcurrentHashMap<>();

	private final Object lock = new Object();

	// guarded by lock
	private boolean closing;

	// guarded by lock
	private boolean cycleRunning;

	// guarded by lock
	private boolean cycleRequested;

	// guarded by lock
	private Scheduler.Cancellable nextCycle = Scheduler.Cancellable.NONE;

	// guarded by lock
	private CompletableFuture<Void> currentCycle = CompletableFuture.completedFuture(null);

	/**
	 * A balancer, not yet started.
	 * @param context the stream
	 * @param store the lease store
	 * @param directory the shards
	 * @param timing lease timing
	 * @param readers makes the (not yet started) reader of a shard
	 * @param progress what this worker knows it handled; told when the store loses leases
	 */
	LeaseBalancer(StreamContext context, Checkpointer store, ShardDirectory directory, LeaseTiming timing,
			Function<String, ShardReader> readers, ShardProgress progress) {
		this.progress = progress;
		this.context = context;
		this.store = store;
		this.directory = directory;
		this.timing = timing;
		this.readers = readers;
	}

	void start() {
		requestCycle();
	}

	/** Runs a cycle soon: after a reshard or a finished shard. */
	void requestCycle() {
		synchronized (this.lock) {
			if (this.closing) {
				return;
			}
			if (this.cycleRunning) {
				this.cycleRequested = true;
				return;
			}
			this.nextCycle.cancel();
			this.nextCycle = this.context.schedule(this::runCycle, 0);
		}
	}

	/**
	 * The readers of the shards held now, handed-over ones excluded.
	 * @return the readers
	 */
	List<ShardReader> readers() {
		return this.held.values()
			.stream()
			.filter((lease) -> !lease.handingOver && lease.reader.isActive())
			.map((lease) -> lease.reader)
			.toList();
	}

	/**
	 * How many leases this worker holds.
	 * @return the count
	 */
	int heldCount() {
		return this.held.size();
	}

	/**
	 * The reader of a shard this worker holds, handed-over ones included until released.
	 * @param shardId the shard
	 * @return the reader, or {@code null}
	 */
	ShardReader reader(String shardId) {
		Held lease = this.held.get(shardId);
		return (lease != null) ? lease.reader : null;
	}

	private void runCycle() {
		CompletableFuture<Void> done = new CompletableFuture<>();
		synchronized (this.lock) {
			if (this.closing || this.cycleRunning) {
				return;
			}
			this.cycleRunning = true;
			this.cycleRequested = false;
			this.currentCycle = done;
		}
		long timeout = this.timing.storeTimeoutNanos();
		long started = this.context.scheduler().nanoTime();
		// renewals and the heartbeat together and first, so a slow store or a slow
		// ListShards never adds round trips before a renewal
		CompletableFuture<List<WorkerBeat>> beat = beat(timeout);
		renewHeld().thenCompose((renewed) -> this.directory.refreshIfDue(timeout).exceptionally((error) -> {
			logger.warn("Listing the shards of stream '{}' failed; using the last list: {}", this.context.streamName(),
					AwsErrors.unwrap(error).toString());
			return null;
		}))
			.thenCompose((listed) -> beat)
			.thenCompose((beats) -> needsListing(beats) ? listAndBalance(beats, timeout) : handOverExtra(beats))
			.whenComplete((ok, error) -> {
				if (error != null && !isClosing()) {
					logger.warn("Lease cycle of stream '{}' failed; trying again: {}", this.context.streamName(),
							AwsErrors.unwrap(error).toString());
				}
				synchronized (this.lock) {
					this.cycleRunning = false;
					if (!this.closing) {
						// at a fixed rate from the cycle's start: a slow store must not
						// stretch the time between two renewals
						long delay = this.cycleRequested ? 0 : Math.max(0,
								started + this.timing.renewIntervalNanos() - this.context.scheduler().nanoTime());
						this.nextCycle = this.context.schedule(this::runCycle, delay);
					}
				}
				done.complete(null);
			});
	}

	private boolean isClosing() {
		synchronized (this.lock) {
			return this.closing;
		}
	}

	// all renewals at once: with hundreds of shards and a remote store, one at a time
	// could take longer than a lease lasts
	private CompletableFuture<Void> renewHeld() {
		List<CompletableFuture<Void>> renewals = new ArrayList<>();
		for (Held lease : List.copyOf(this.held.values())) {
			long sent = this.context.scheduler().nanoTime();
			renewals.add(
					this.context
						.bounded(() -> this.store.renewLease(lease.shardId()), this.timing.storeTimeoutNanos(),
								"The lease store")
						.handle((renewed, error) -> {
							if (error != null) {
								logger.warn("Renewing the lease of shard {} of stream '{}' failed: {}", lease.shardId(),
										this.context.streamName(), AwsErrors.unwrap(error).toString());
								countError(lease.shardId(), "lease_renewal_failed");
							}
							else if (renewed) {
								lease.renewed(sent);
							}
							else {
								lost(lease, "was taken by another worker or is gone from the store");
							}
							return null;
						}));
		}
		return CompletableFuture.allOf(renewals.toArray(CompletableFuture[]::new));
	}

	/**
	 * Writes this worker's heartbeat and reads everyone's.
	 * @return the heartbeats, or {@code null} when the store keeps none or the call
	 * failed (the cycle then reads every lease)
	 */
	private CompletableFuture<List<WorkerBeat>> beat(long timeout) {
		if (!this.beatsSupported) {
			return CompletableFuture.completedFuture(null);
		}
		int leases = owned().size();
		long changed = this.changes.get();
		return this.context.bounded(() -> this.store.beat(leases, changed), timeout, "The lease store")
			.handle((beats, error) -> {
				if (error == null) {
					noticeLostBeat(beats);
					return beats;
				}
				Throwable cause = AwsErrors.unwrap(error);
				if (cause instanceof UnsupportedOperationException) {
					this.beatsSupported = false;
					logger.info("The lease store of stream '{}' keeps no worker heartbeats: every lease cycle reads "
							+ "every lease ({})", this.context.streamName(), cause.getMessage());
				}
				else {
					logger.warn(
							"Writing the heartbeat of worker {} for stream '{}' failed; reading every lease "
									+ "instead: {}",
							this.store.workerId(), this.context.streamName(), cause.toString());
				}
				return null;
			});
	}

	/**
	 * The store counts this worker's heartbeats; a count lower than the last one means it
	 * lost what it held since, and with it the leases and checkpoints.
	 */
	private void noticeLostBeat(List<WorkerBeat> beats) {
		String me = this.store.workerId();
		long written = beats.stream()
			.filter((beat) -> me.equals(beat.workerId()))
			.mapToLong(WorkerBeat::written)
			.findFirst()
			.orElse(0);
		boolean lost = written <= this.ownBeatsWritten;
		this.ownBeatsWritten = written;
		if (lost) {
			Set<String> shards = new TreeSet<>(this.held.keySet());
			shards.addAll(this.lastListed.keySet());
			storeReset(shards, this.store.clock().instant());
			// read every lease now
			this.lastEligible = -1;
		}
	}

	/**
	 * Whether this cycle must read every lease: on the first cycle, without heartbeats,
	 * after the shard list or a worker's change counter changed, while workers without
	 * heartbeats hold leases, and when this worker holds fewer leases than its share
	 * (less than the floor, or less than the ceiling while the heartbeats of two cycles
	 * in a row show shards nobody holds). Otherwise the heartbeats say all it needs, and
	 * the cycle costs one store call plus the renewals.
	 */
	private boolean needsListing(List<WorkerBeat> beats) {
		if (beats == null || this.lastEligible < 0 || this.ownersWithoutBeats
				|| this.directory.version() != this.listedDirectoryVersion
				|| this.changes.get() != this.listedOwnChanges) {
			return true;
		}
		Instant now = this.store.clock().instant();
		String me = this.store.workerId();
		int owned = owned().size();
		int workers = 1;
		long leases = owned;
		boolean changed = false;
		Set<String> present = new HashSet<>();
		for (WorkerBeat beat : beats) {
			present.add(beat.workerId());
			if (me.equals(beat.workerId()) || !beat.isLive(now)) {
				continue;
			}
			workers++;
			leases += beat.leases();
			Long seen = this.seenChanges.putIfAbsent(beat.workerId(), beat.changes());
			changed |= seen != null && seen != beat.changes();
		}
		this.seenChanges.keySet().retainAll(present);
		int floor = this.lastEligible / workers;
		int ceiling = ceiling(this.lastEligible, workers);
		// heartbeats are up to a cycle old: a lease moving between two workers can look
		// unheld for one cycle, so only a second one in a row counts
		this.unheldCycles = (leases < this.lastEligible) ? this.unheldCycles + 1 : 0;
		return changed || owned < floor || (owned < ceiling && this.unheldCycles >= 2);
	}

	private CompletableFuture<Void> listAndBalance(List<WorkerBeat> beats, long timeout) {
		int directoryVersion = this.directory.version();
		long ownChanges = this.changes.get();
		return this.context.bounded(this.store::listLeases, timeout, "The lease store").thenCompose((listed) -> {
			this.listedDirectoryVersion = directoryVersion;
			this.listedOwnChanges = ownChanges;
			this.seenChanges.clear();
			if (beats != null) {
				beats.forEach((beat) -> this.seenChanges.put(beat.workerId(), beat.changes()));
			}
			return balance(listed, beats);
		});
	}

	/**
	 * Without a listing: hands back the shards over this worker's share when the
	 * heartbeats show more workers than before (one joined).
	 */
	private CompletableFuture<Void> handOverExtra(List<WorkerBeat> beats) {
		Instant now = this.store.clock().instant();
		String me = this.store.workerId();
		int workers = 1
				+ (int) beats.stream().filter((beat) -> !me.equals(beat.workerId()) && beat.isLive(now)).count();
		handOverAbove(owned(), ceiling(this.lastEligible, workers));
		return CompletableFuture.completedFuture(null);
	}

	/**
	 * Hands the shards over this worker's target to the workers under theirs.
	 * @param owned the leases held and read now, by shard id
	 * @param target the target
	 * @return whether it held more than its target
	 */
	private boolean handOverAbove(List<Held> owned, int target) {
		if (owned.size() <= target) {
			return false;
		}
		owned.subList(target, owned.size()).forEach(this::handOver);
		return true;
	}

	/** A worker's share of the shards, rounded up. */
	private static int ceiling(int shards, int workers) {
		return (shards + workers - 1) / workers;
	}

	/** The leases held and read now (not being handed over), by shard id. */
	private List<Held> owned() {
		return this.held.values()
			.stream()
			.filter((lease) -> !lease.handingOver && lease.reader.isActive())
			.sorted(Comparator.comparing(Held::shardId))
			.toList();
	}

	private CompletableFuture<Void> balance(List<Lease> listed, List<WorkerBeat> beats) {
		Map<String, Lease> leases = new HashMap<>();
		for (Lease lease : listed) {
			leases.put(lease.shardId(), lease);
		}
		Instant now = this.store.clock().instant();
		noticeLostLeases(leases, now);
		String me = this.store.workerId();
		List<String> eligible = this.directory.readable(leases);
		Set<String> liveWorkers = new HashSet<>();
		liveWorkers.add(me);
		leases.values()
			.stream()
			.filter((lease) -> lease.owner() != null && !lease.isAvailable(now))
			.forEach((lease) -> liveWorkers.add(lease.owner()));
		if (beats != null) {
			Set<String> beating = new HashSet<>();
			beats.stream().filter((beat) -> beat.isLive(now)).forEach((beat) -> beating.add(beat.workerId()));
			beating.add(me);
			// an owner without a heartbeat: a worker of an older version
			this.ownersWithoutBeats = !beating.containsAll(liveWorkers);
			// a worker that holds nothing yet counts too, so the others make room for it
			liveWorkers.addAll(beating);
		}
		List<Lease> available = new ArrayList<>();
		Map<String, List<Lease>> heldByOthers = new HashMap<>();
		for (String shardId : eligible) {
			if (this.held.containsKey(shardId) || this.stopping.containsKey(shardId)) {
				continue;
			}
			Lease lease = leases.get(shardId);
			if (lease == null) {
				available.add(new Lease(shardId, null, -1, null, null));
			}
			else if (me.equals(lease.owner()) || lease.isAvailable(now)) {
				available.add(lease);
			}
			else {
				heldByOthers.computeIfAbsent(lease.owner(), (owner) -> new ArrayList<>()).add(lease);
			}
		}
		this.lastEligible = eligible.size();
		int target = ceiling(eligible.size(), liveWorkers.size());
		List<Held> owned = owned();
		// workers that list at the same moment would otherwise all try the same leases
		shuffle(available);
		if (handOverAbove(owned, target)) {
			return CompletableFuture.completedFuture(null);
		}
		long deadline = this.context.scheduler().nanoTime() + this.timing.renewIntervalNanos() / 2;
		return takeEach(available.iterator(), owned.size(), target, deadline).thenCompose((count) -> {
			if (count < target && available.isEmpty() && !isClosing()) {
				return steal(heldByOthers, count, target);
			}
			return CompletableFuture.completedFuture(null);
		});
	}

	/**
	 * The stores never delete a lease, its counter only grows and its checkpoint only
	 * moves on (but for a rewind an operator makes): a lease listed (or taken) before
	 * that is now missing, has a smaller counter or lost its checkpoint, of a shard still
	 * listed, means the store lost what it held (restarted without persistence, failed
	 * over to a lagging replica, re-created). Logged, counted and remembered, so that
	 * this worker starts shards without a checkpoint at their oldest record rather than
	 * at the tip.
	 */
	private void noticeLostLeases(Map<String, Lease> listed, Instant now) {
		Set<String> lost = new TreeSet<>();
		Set<String> stillListed = this.directory.shards().keySet();
		for (Lease before : this.lastListed.values()) {
			Lease after = listed.get(before.shardId());
			boolean regressed = after == null || after.counter() < before.counter()
					|| (before.checkpoint() != null && after.checkpoint() == null);
			if (regressed && stillListed.contains(before.shardId())) {
				lost.add(before.shardId());
			}
		}
		this.lastListed = new ConcurrentHashMap<>(listed);
		if (!lost.isEmpty()) {
			storeReset(lost, now);
		}
	}

	private void storeReset(Set<String> lost, Instant now) {
		this.progress.storeReset(now);
		logger.error("The lease store of stream '{}' lost what it held for shards {}: was it restarted without "
				+ "persistence, failed over or re-created? This worker resumes the shards it read from what it handled, "
				+ "and starts shards without a checkpoint at their oldest record (expect duplicates)",
				this.context.streamName(), lost);
		lost.forEach((shardId) -> countError(shardId, "lease_store_reset"));
	}

	/**
	 * Takes leases until the target is reached, a few at once. Stops after half a renewal
	 * interval and asks for the next cycle at once, so that a worker taking thousands of
	 * shards still renews the ones it took in time.
	 */
	private CompletableFuture<Integer> takeEach(Iterator<Lease> candidates, int count, int target, long deadline) {
		if (count >= target || !candidates.hasNext() || isClosing()) {
			return CompletableFuture.completedFuture(count);
		}
		if (this.context.scheduler().nanoTime() >= deadline) {
			synchronized (this.lock) {
				this.cycleRequested = true;
			}
			return CompletableFuture.completedFuture(count);
		}
		List<CompletableFuture<Boolean>> takes = new ArrayList<>();
		while (takes.size() < Math.min(PARALLEL_TAKES, target - count) && candidates.hasNext()) {
			takes.add(take(candidates.next()));
		}
		return CompletableFuture.allOf(takes.toArray(CompletableFuture[]::new)).thenCompose((all) -> {
			int taken = (int) takes.stream().filter(CompletableFuture::join).count();
			return takeEach(candidates, count + taken, target, deadline);
		});
	}

	private void shuffle(List<Lease> leases) {
		RandomGenerator random = this.context.scheduler().random();
		for (int i = leases.size() - 1; i > 0; i--) {
			Collections.swap(leases, i, random.nextInt(i + 1));
		}
	}

	private CompletableFuture<Boolean> take(Lease expected) {
		long sent = this.context.scheduler().nanoTime();
		Lease read = (expected.counter() < 0) ? null : expected;
		return this.context
			.bounded(() -> this.store.takeLease(expected.shardId(), read), this.timing.storeTimeoutNanos(),
					"The lease store")
			.thenApply((taken) -> {
				if (taken) {
					// as the store holds it now: a later listing without it shows a store
					// reset
					this.lastListed.put(expected.shardId(), new Lease(expected.shardId(), this.store.workerId(),
							expected.counter() + 1, null, expected.checkpoint()));
					startReader(expected.shardId(), sent);
				}
				return taken;
			});
	}

	/**
	 * Takes leases from the workers holding the most, one at a time from the richest (a
	 * random one among equals), as long as it holds at least two more than this worker
	 * would after the take, up to the target; the takes go out together.
	 */
	private CompletableFuture<Void> steal(Map<String, List<Lease>> heldByOthers, int owned, int target) {
		RandomGenerator random = this.context.scheduler().random();
		Map<String, List<Lease>> remaining = new HashMap<>();
		heldByOthers.forEach((owner, leases) -> remaining.put(owner, new ArrayList<>(leases)));
		List<CompletableFuture<Void>> steals = new ArrayList<>();
		int mine = owned;
		while (mine < target && steals.size() < PARALLEL_TAKES) {
			int most = remaining.values().stream().mapToInt(List::size).max().orElse(0);
			if (most <= mine + 1) {
				break;
			}
			List<String> richest = remaining.entrySet()
				.stream()
				.filter((entry) -> entry.getValue().size() == most)
				.map(Map.Entry::getKey)
				.sorted()
				.toList();
			List<Lease> from = remaining.get(richest.get(random.nextInt(richest.size())));
			Lease victim = from.remove(random.nextInt(from.size()));
			int before = mine;
			// conditional on the lease as read: fails if the owner renewed it meanwhile
			steals.add(take(victim).thenAccept((taken) -> {
				if (taken) {
					logger.info("Worker {} took shard {} of stream '{}' from worker {} (it held {}, this worker {})",
							this.store.workerId(), victim.shardId(), this.context.streamName(), victim.owner(), most,
							before);
				}
			}));
			mine++;
		}
		return CompletableFuture.allOf(steals.toArray(CompletableFuture[]::new));
	}

	private void startReader(String shardId, long sentNanos) {
		synchronized (this.lock) {
			if (this.closing) {
				// taken while closing: it expires, as if never taken
				return;
			}
		}
		ShardReader reader = this.readers.apply(shardId);
		Held lease = new Held(reader);
		this.held.put(shardId, lease);
		lease.renewed(sentNanos);
		logger.info("Worker {} reads shard {} of stream '{}'", this.store.workerId(), shardId,
				this.context.streamName());
		reader.whenStopped().thenAccept((state) -> {
			if (state == ShardStatus.State.FINISHED) {
				forget(lease);
				// its children may be readable now: the others read every lease once
				this.changes.incrementAndGet();
				Futures.call(() -> this.store.releaseLease(shardId)).whenComplete((ok, error) -> {
					this.directory.requestRefresh();
					requestCycle();
				});
			}
			else if (!lease.handingOver && !isClosing()) {
				// lease lost: forget it; a later cycle may take the shard again
				forget(lease);
			}
		});
		reader.start();
	}

	private void lost(Held lease, String why) {
		String shardId = lease.shardId();
		ShardReader reader = lease.reader;
		if (reader.isActive()) {
			this.stopping.put(shardId, reader);
			reader.whenStopped().whenComplete((state, error) -> this.stopping.remove(shardId, reader));
		}
		forget(lease);
		reader.leaseLost(why);
	}

	/**
	 * Drops a lease from those held (when it still is the one held) and stops its
	 * watchdog.
	 */
	private void forget(Held lease) {
		this.held.remove(lease.shardId(), lease);
		lease.watchdog.cancel();
	}

	/**
	 * Stops reading a shard, writes the checkpoint of what was handled and releases the
	 * lease, so that another worker continues right after it. The lease is renewed until
	 * it is released.
	 */
	private void handOver(Held lease) {
		lease.handingOver = true;
		String shardId = lease.shardId();
		logger.info("Worker {} hands shard {} of stream '{}' over to another worker", this.store.workerId(), shardId,
				this.context.streamName());
		lease.reader.stop(null);
		release(lease).whenComplete((ok, error) -> {
			forget(lease);
		});
	}

	/** Waits for the reader to stop (bounded), writes its checkpoint, frees the lease. */
	private CompletableFuture<Void> release(Held lease) {
		String shardId = lease.shardId();
		long timeout = this.timing.storeTimeoutNanos();
		return Futures
			.withTimeout(lease.reader.whenStopped(), this.context.scheduler(),
					this.context.options().shutdownTimeout().toNanos(), "The handlers of shard " + shardId)
			.handle((state, error) -> {
				if (error != null) {
					logger.warn(
							"Handlers of shard {} of stream '{}' still running after {}; releasing anyway (their "
									+ "records are not checkpointed and will be read again)",
							shardId, this.context.streamName(), this.context.options().shutdownTimeout());
				}
				return state;
			})
			.thenCompose((state) -> (state == ShardStatus.State.FINISHED) ? CompletableFuture.completedFuture(null)
					: lease.reader.flushCheckpoint()
						.thenCompose((flushed) -> this.context.bounded(() -> this.store.releaseLease(shardId), timeout,
								"The lease store")))
			.exceptionally((error) -> {
				logger.warn("Could not release the lease of shard {} of stream '{}' (it expires instead): {}", shardId,
						this.context.streamName(), AwsErrors.unwrap(error).toString());
				return null;
			});
	}

	/**
	 * Stops every reader, waits for their handlers (up to the shutdown timeout), writes
	 * their checkpoints and releases their leases.
	 * @param beforeWaiting runs once every reader was asked to stop (to let go of records
	 * waiting for the application)
	 * @return completes when done; never fails
	 */
	CompletableFuture<Void> closeAsync(Runnable beforeWaiting) {
		CompletableFuture<Void> cycle;
		synchronized (this.lock) {
			this.closing = true;
			this.nextCycle.cancel();
			cycle = this.currentCycle;
		}
		// a cycle that is running may still start a reader: wait for it first
		return Futures.withTimeout(cycle, this.context.scheduler(), this.timing.leaseNanos(), "The running lease cycle")
			.handle((ok, error) -> null)
			.thenCompose((ignored) -> {
				List<Held> all = List.copyOf(this.held.values());
				all.forEach((lease) -> lease.reader.stop(null));
				beforeWaiting.run();
				List<CompletableFuture<Void>> releases = new ArrayList<>();
				for (Held lease : all) {
					releases.add(release(lease).whenComplete((ok, error) -> lease.watchdog.cancel()));
				}
				return CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new));
			})
			// the others count this worker out at once, not when its heartbeat lapses
			.thenCompose((released) -> this.context
				.bounded(this.store::endBeat, this.timing.storeTimeoutNanos(), "The lease store")
				.exceptionally((error) -> null))
			.whenComplete((ok, error) -> this.held.clear());
	}

	/** Stops at once, as if the process had died: no final checkpoint and no release. */
	void halt() {
		synchronized (this.lock) {
			this.closing = true;
			this.nextCycle.cancel();
		}
		this.held.values().forEach((lease) -> {
			lease.watchdog.cancel();
			lease.reader.stop(null);
		});
		this.held.clear();
	}

	private void countError(String shardId, String type) {
		this.context.metrics()
			.increment(MetricType.CONSUMER_ERRORS, 1, Map.of(MetricLabels.STREAM_NAME, this.context.streamName(),
					MetricLabels.SHARD_ID, shardId, MetricLabels.ERROR_TYPE, type));
	}

	/**
	 * A lease this worker holds, with the reader of its shard and the time up to which
	 * reading is safe.
	 */
	private final class Held {

		final ShardReader reader;

		volatile boolean handingOver;

		// guarded by this
		long validUntilNanos = Long.MIN_VALUE;

		// guarded by this
		Scheduler.Cancellable watchdog = Scheduler.Cancellable.NONE;

		Held(ShardReader reader) {
			this.reader = reader;
		}

		String shardId() {
			return this.reader.shardId();
		}

		/** A take or renewal sent at the given time succeeded. */
		synchronized void renewed(long sentNanos) {
			long until = sentNanos + LeaseBalancer.this.timing.validForNanos();
			if (until <= this.validUntilNanos) {
				return;
			}
			this.validUntilNanos = until;
			this.watchdog.cancel();
			long delay = until - LeaseBalancer.this.context.scheduler().nanoTime();
			this.watchdog = LeaseBalancer.this.context.schedule(this::checkExpiry, delay);
		}

		private void checkExpiry() {
			long overdue;
			synchronized (this) {
				overdue = LeaseBalancer.this.context.scheduler().nanoTime() - this.validUntilNanos;
			}
			if (overdue >= 0 && LeaseBalancer.this.held.get(shardId()) == this) {
				lost(this, "could not be renewed in time (it may expire in "
						+ TimeUnit.NANOSECONDS.toMillis(LeaseBalancer.this.timing.marginNanos() - overdue) + " ms)");
			}
		}

	}

}
