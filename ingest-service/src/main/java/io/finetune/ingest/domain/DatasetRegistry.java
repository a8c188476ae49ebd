package io.finetune.ingest.domain;

import io.finetune.contracts.DatasetCounts;
import io.finetune.contracts.DatasetDefined;
import io.finetune.contracts.DatasetSealed;
import io.finetune.contracts.Json;
import io.finetune.contracts.PreparationOutcome;
import io.finetune.contracts.PreprocessOptions;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.SafeNames;
import io.finetune.ingest.messaging.RegistryConfig;
import io.finetune.ingest.messaging.RegistryLog;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.producer.RecordMetadata;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The datasets every ingest replica has seen, their definitions, seals and counts, kept on the compacted topic
 * {@code finetune.ingest.datasets}: read from its start before the replica is ready, then followed, so all replicas
 * share one registry and a restarted one finds it again. Datasets pushed straight onto Kafka without being created
 * first get the default shape (fields "text" and "label"). A dataset's counts are the sum of each replica's own
 * counts, which each replica publishes as snapshots (see {@link CountPublisher}).
 */
@ApplicationScoped
@Startup
public class DatasetRegistry {
    private final DatasetViews views = new DatasetViews();
    private final Awaited<RecordsEnd> ends = new Awaited<>();
    private final RegistryLog log;
    private final CountPublisher counts;
    private final String replica;
    /** This start of the replica: a seal claimed by another process and never ended was cut short. */
    private final String process = UUID.randomUUID().toString();
    /** Datasets whose seal this process is finishing (claim made, END marker not yet confirmed). */
    private final Set<String> sealing = ConcurrentHashMap.newKeySet();
    private final Duration publishInterval;
    private final Duration waitLimit;
    private final MeterRegistry meters;
    // Looked up once: a registry lookup per record is measurable at tens of thousands of records per second.
    private final Counter acceptedCounter;
    private final Map<String, Counter> rejectedCounters = new ConcurrentHashMap<>();

    @Inject
    public DatasetRegistry(MeterRegistry meters, RegistryConfig config,
                           @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this(meters, kafkaConfig, config.replica(), config.publishInterval(), config.waitLimit());
    }

    /** Call {@link #start()} before use and {@link #close()} after. */
    public DatasetRegistry(MeterRegistry meters, Map<String, Object> kafkaConfig, String replica,
                           Duration publishInterval, Duration waitLimit) {
        this.meters = meters;
        this.replica = replica;
        this.publishInterval = publishInterval;
        this.waitLimit = waitLimit;
        this.acceptedCounter = meters.counter("finetune.ingest.records", "outcome", "accepted", "reason", "none");
        this.log = RegistryLog.of(kafkaConfig, (key, type, json) -> {
            views.apply(key, type, json);
            if (DatasetSealed.TYPE.equals(type)) {
                ends.changed(key.substring(0, Math.max(0, key.indexOf('/'))));
            }
        });
        this.counts = new CountPublisher(log, replica, this::ownLastSnapshot);
    }

    @PostConstruct
    public void start() {
        log.start();
        counts.start(publishInterval);
    }

    @PreDestroy
    public void close() {
        counts.close();
        log.close();
    }

    public String replica() {
        return replica;
    }

    /** True once the registry topic has been read up to where it ended at start-up. */
    public boolean isLoaded() {
        return log.isLoaded();
    }

    /** Why the registry is not loaded, or null. */
    public String problem() {
        return log.problem();
    }

    /**
     * Publishes the definition and reads the topic back to it: the first definition of the name in the topic wins,
     * so two replicas creating the same name at once get one 201 and one 409.
     *
     * @return false when a dataset of that name exists already
     */
    public boolean create(DatasetDefinition definition) {
        String name = SafeNames.check(definition.name(), "dataset name");
        if (exists(name)) {
            return false;
        }
        DatasetDefined event = DatasetDefined.of(name, definition.textFields(), definition.labelField(),
                definition.labels(), definition.idField(), replica, definition.continuous(), definition.sealEvery());
        return claim(name, DatasetDefined.TYPE, event, views::definitionKey).join();
    }

    public boolean exists(String name) {
        awaitLoaded();
        return views.get(name) != null || counts.peek(name) != null;
    }

    public DatasetDefinition definition(String name) {
        awaitLoaded();
        DatasetDefined defined = views.definition(name);
        return defined == null ? DatasetDefinition.defaults(name)
                : new DatasetDefinition(name, defined.textFields(), defined.labelField(), defined.labels(),
                defined.idField(), Boolean.TRUE.equals(defined.continuous()), defined.sealEvery());
    }

    public boolean isSealed(String name) {
        return currentSeal(name) != null;
    }

    /** Whether the dataset was created continuous: a seal ends a version of it, and records keep coming. */
    public boolean isContinuous(String name) {
        awaitLoaded();
        DatasetDefined defined = views.definition(name);
        return defined != null && Boolean.TRUE.equals(defined.continuous());
    }

    /**
     * Continuous datasets defined with {@code sealEvery} that have accepted at least that many records since their
     * newest seal (as far as this replica knows the counts), oldest name first: their next version is due.
     */
    public java.util.List<String> dueForSeal() {
        if (!log.isLoaded()) {
            return java.util.List.of();
        }
        return views.names().stream().filter(name -> {
            DatasetViews.View view = views.get(name);
            DatasetDefined defined = views.definition(name);
            if (defined == null || !Boolean.TRUE.equals(defined.continuous()) || defined.sealEvery() == null) {
                return false;
            }
            DatasetSealed newest = view.seal;
            if (newest != null && !newest.ended()) {
                return false; // a seal is being made (or was cut short: a requested seal finishes it)
            }
            return accepted(name) - (newest == null ? 0 : newest.accepted()) >= defined.sealEvery();
        }).sorted().toList();
    }

    /** The options the newest seal of a continuous dataset recorded, or null when it has none. */
    public PreprocessOptions newestSealOptions(String name) {
        DatasetSealed sealed = currentSeal(name);
        return sealed == null ? null : sealed.options();
    }

    /** Whether a seal closed the dataset to records: it is sealed and not continuous. */
    public boolean isClosedToRecords(String name) {
        return isSealed(name) && !isContinuous(name);
    }

    /** Seal {@code number} (or a later one) is made and its END marker acknowledged: it is with preprocess. */
    public boolean isSealEnded(String name, int number) {
        DatasetSealed sealed = currentSeal(name);
        return sealed != null && sealed.seal() >= number && sealed.ended();
    }

    /**
     * Which seal a seal of the dataset asked for now makes: the first; the current one, when it is not ended (a crash
     * cut it short, or it is being made); or the next one when preprocess failed to prepare the current one. A
     * dataset that is prepared, or still being prepared, is refused, with what to do instead.
     *
     * A continuous dataset is sealed again once its newest version is prepared too: the seal ends the next version.
     * Its options are then fixed: those of the newest prepared version ({@link NextSeal.Allowed#fixed}).
     *
     * @param outcome what preprocess last said of the dataset; asked only of an ended seal
     * @param newestManifest the newest manifest of the dataset; asked only of a continuous dataset
     */
    public NextSeal nextSeal(String name, Supplier<Optional<PreparationOutcome>> outcome) {
        return nextSeal(name, outcome, Optional::empty);
    }

    /** The same, for any dataset: a continuous one's options are fixed by its newest manifest. */
    public NextSeal nextSeal(String name, Supplier<Optional<PreparationOutcome>> outcome,
                             Supplier<Optional<ShardManifest>> newestManifest) {
        DatasetSealed sealed = currentSeal(name);
        PreprocessOptions fixed = isContinuous(name) ? fixedOptions(name, newestManifest) : null;
        if (sealed == null) {
            return new NextSeal.Allowed(1);
        }
        if (!sealed.ended()) {
            return new NextSeal.Allowed(sealed.seal(), fixed);
        }
        DatasetStatus.State state = status(name, outcome).state();
        if (state == DatasetStatus.State.PREPARED && isContinuous(name)) {
            return new NextSeal.Allowed(sealed.seal() + 1, fixed);
        }
        return switch (state) {
            case FAILED -> new NextSeal.Allowed(sealed.seal() + 1, fixed);
            case PREPARED -> new NextSeal.Refused("dataset '" + name + "' is prepared: its shards are final. To"
                    + " prepare its records differently, create a new dataset and upload them there");
            default -> isContinuous(name) ? new NextSeal.Refused("version " + sealed.seal() + " of dataset '" + name
                    + "' is being prepared: seal the next version once GET /datasets/" + name + " says PREPARED (or"
                    + " FAILED); records sent meanwhile are accepted into the next version")
                    : new NextSeal.Refused("dataset '" + name + "' is sealed and being prepared: GET /datasets/"
                    + name + " says PREPARED once its shards are ready, or FAILED with the reason, and only a failed"
                    + " dataset may be sealed again (with corrected options, over the records it has)");
        };
    }

    /**
     * Publishes this replica's counts, then a claim of seal {@code number} ({@link #nextSeal} says which) with the sum
     * over replicas, and reads the topic back to it: the first claim of a seal number wins. The caller sends the END
     * marker with the count and then calls {@link #sealEnded} (or {@link #sealAbandoned} if it could not). A claim
     * whose END marker was never confirmed, and that no seal in this process is working on (its sealer crashed, or
     * failed), is handed out again, so a retry finishes the seal instead of being refused.
     *
     * @return the number of accepted records for the END marker, or -1 when that seal was made already or is not
     * the next one
     */
    /**
     * The options of the newest prepared version of a continuous dataset, as its seal recorded them; null while no
     * version is prepared (a seal after a failed first version may still correct them).
     */
    private PreprocessOptions fixedOptions(String name, Supplier<Optional<ShardManifest>> newestManifest) {
        Optional<ShardManifest> manifest = newestManifest.get();
        if (manifest.isEmpty() || manifest.get().version() == null) {
            return null;
        }
        DatasetSealed prepared = views.get(name).seals.get(manifest.get().version());
        return prepared == null ? null : prepared.options() == null ? PreprocessOptions.defaults() : prepared.options();
    }

    /** {@link #seal(String, int, PreprocessOptions)} of a dataset that records no options. */
    public CompletableFuture<Long> seal(String name, int number) {
        return seal(name, number, null);
    }

    /** @param options the END marker's options, recorded with the seal of a continuous dataset */
    public CompletableFuture<Long> seal(String name, int number, PreprocessOptions options) {
        DatasetSealed sealed = currentSeal(name);
        if (sealed != null && sealed.seal() == number) {
            boolean resumable = !sealed.ended() && sealing.add(name);
            return CompletableFuture.completedFuture(resumable ? sealed.accepted() : -1L);
        }
        if (!DatasetViews.isNext(sealed, number) || !sealing.add(name)) {
            return CompletableFuture.completedFuture(-1L); // a later seal was made, or this process is making one
        }
        counts.of(name); // a seal of a dataset nobody named before creates it, as a raw record would
        // Async: the publish completes on the producer's I/O thread, which must not send (and maybe block) itself.
        return counts.publish().thenComposeAsync(published -> {
            long accepted = accepted(name);
            DatasetSealed claim = DatasetSealed.claim(name, number, accepted, replica, process,
                    isContinuous(name) ? (options == null ? PreprocessOptions.defaults() : options) : null);
            return claim(name, DatasetSealed.TYPE, claim, d -> views.get(d).sealKey)
                    .thenApply(won -> won ? accepted : -1L);
        }).whenComplete((accepted, error) -> {
            if (error != null || accepted < 0) {
                sealing.remove(name);
            }
        });
    }

    /**
     * The END marker of a seal this process won (or resumed) is acknowledged at {@code end}: the seal is final, and
     * replicas that wrote records of the dataset meanwhile learn where the records end ({@link #recordsEnd}).
     */
    public CompletableFuture<Void> sealEnded(String name, RecordMetadata end) {
        DatasetViews.View view = views.get(name);
        return log.append(name, view.sealKey, DatasetSealed.TYPE,
                        Json.write(view.seal.asEnded(end.partition(), end.offset())))
                .thenCompose(log::readPast)
                .whenComplete((done, error) -> sealing.remove(name));
    }

    /** The END marker could not be sent: a retry may take the seal up again. */
    public void sealAbandoned(String name) {
        sealing.remove(name);
    }

    public void countAccepted(String name) {
        countAccepted(name, 1);
    }

    public void countAccepted(String name, long records) {
        if (records > 0) {
            awaitLoaded();
            counts.of(name).accepted.addAndGet(records);
            acceptedCounter.increment(records);
        }
    }

    /**
     * Where the dataset's records end, for records of it that Kafka acknowledged on {@code finetune.dataset.records}
     * before this call. Called by a replica after its records were acknowledged and before it says they are accepted.
     * <p>
     * Why it is right. A seal writes its claim to the registry and has it acknowledged before it sends the END
     * marker, and records the END marker's offset in the registry once that is acknowledged (see
     * {@link io.finetune.ingest.messaging.RecordIntake}). This call reads the registry up to end offsets asked of the
     * broker after it was made ({@link RegistryLog#catchUp}), so it sees every registry event acknowledged before it.
     * <ul>
     * <li>No claim seen: no claim was acknowledged before this call, so the END marker, sent after the claim's
     * acknowledgement, is sent after this call, hence after the caller's records were acknowledged. A dataset's
     * records and its END marker share one partition (keyed by dataset), whose offsets grow with the time of append:
     * the END marker lands behind them. They are in ({@link RecordsEnd#OPEN}).</li>
     * <li>A claim seen: the seal may have overtaken the records. Wait (up to {@code ingest.registry.wait-limit}) for
     * the END marker's offset; a record before it is in, one behind it is not, as preprocess sees it. If the offset
     * does not come in time (the sealer died between claim and END marker), the records' fate is not known yet, and
     * they are not called accepted ({@link RecordsEnd#unknown}).</li>
     * </ul>
     * The END marker that counts is that of seal 1: seals after a failed preparation add no records. A continuous
     * dataset's records are all in it: each belongs to the version its place among the END markers says.
     */
    public CompletableFuture<RecordsEnd> recordsEnd(String name) {
        awaitLoaded();
        if (isContinuous(name)) {
            return CompletableFuture.completedFuture(RecordsEnd.OPEN);
        }
        return log.catchUp(name).thenComposeAsync(read -> {
            DatasetViews.View view = views.get(name);
            if (view == null || view.firstSeal == null) {
                return CompletableFuture.completedFuture(RecordsEnd.OPEN);
            }
            return ends.await(name, () -> endOfRecords(name), waitLimit,
                    RecordsEnd.unknown("its END marker was not confirmed within " + waitLimit));
        });
    }

    /** Where seal 1's END marker is, once it is ended; null while it is not. */
    private RecordsEnd endOfRecords(String name) {
        DatasetViews.View view = views.get(name);
        DatasetSealed first = view == null ? null : view.firstSeal;
        if (first == null || !first.ended()) {
            return null;
        }
        return first.endOffset() == null
                ? RecordsEnd.unknown("its seal was recorded by a version that did not note the END marker's place")
                : RecordsEnd.at(first.endPartition(), first.endOffset());
    }

    public void countRejected(String name, String reason) {
        if (name != null && SafeNames.isSafe(name)) {
            awaitLoaded();
            counts.of(name).reject(reason);
        }
        rejectedCounters.computeIfAbsent(reason,
                r -> meters.counter("finetune.ingest.records", "outcome", "rejected", "reason", r)).increment();
    }

    /**
     * Completes once every count made before the call is in a snapshot on the registry topic. A raw record is
     * acknowledged only then, so a crash never leaves a committed record uncounted.
     */
    public CompletableFuture<Void> countsPublished() {
        return counts.published();
    }

    /** Publishes this replica's changed counts now; completes when Kafka acknowledged them. */
    public CompletableFuture<Void> publishCounts() {
        return counts.publish();
    }

    /** Definition, OPEN or SEALED, and counts; null for a dataset nobody named. */
    public DatasetStatus status(String name) {
        if (!exists(name)) {
            return null;
        }
        Map<String, Long> byReason = new TreeMap<>();
        long accepted = 0;
        for (DatasetCounts replicaCounts : replicaCounts(name).values()) {
            accepted += replicaCounts.accepted();
            replicaCounts.rejectedByReason().forEach((reason, count) -> byReason.merge(reason, count, Long::sum));
        }
        long rejected = byReason.values().stream().mapToLong(Long::longValue).sum();
        return new DatasetStatus(definition(name), isSealed(name) ? DatasetStatus.State.SEALED
                : DatasetStatus.State.OPEN, accepted, rejected, byReason, null, null, versions(name));
    }

    /** A continuous dataset's versions, from its seals; null for other datasets. */
    private DatasetStatus.Versions versions(String name) {
        DatasetViews.View view = views.get(name);
        if (!isContinuous(name) || view == null) {
            return null;
        }
        java.util.List<DatasetStatus.Version> sealed = view.seals.values().stream()
                .map(seal -> new DatasetStatus.Version(seal.seal(), seal.accepted(), seal.ended())).toList();
        return new DatasetStatus.Versions(sealed.isEmpty() ? 1 : sealed.get(sealed.size() - 1).version() + 1, sealed);
    }

    /**
     * The same, and for a dataset whose seal is ended what preprocess said of it: PREPARED with the manifest, or
     * FAILED with the reason ({@link DatasetStatus#answeredBy}).
     *
     * @param outcome what preprocess last said of the dataset; asked only of an ended seal
     */
    public DatasetStatus status(String name, Supplier<Optional<PreparationOutcome>> outcome) {
        DatasetStatus status = status(name);
        DatasetSealed sealed = currentSeal(name);
        if (status == null || sealed == null || !sealed.ended()) {
            return status;
        }
        return outcome.get().map(last -> status.answeredBy(last, sealed.seal())).orElse(status);
    }

    private DatasetSealed currentSeal(String name) {
        awaitLoaded();
        DatasetViews.View view = views.get(name);
        return view == null ? null : view.seal;
    }

    private long accepted(String name) {
        return replicaCounts(name).values().stream().mapToLong(DatasetCounts::accepted).sum();
    }

    /** Every replica's newest published counts, this replica's own live ones instead of its last snapshot. */
    private Map<String, DatasetCounts> replicaCounts(String name) {
        Map<String, DatasetCounts> all = new TreeMap<>();
        DatasetViews.View view = views.get(name);
        if (view != null) {
            all.putAll(view.counts);
        }
        ReplicaCounts mine = counts.peek(name);
        if (mine != null) {
            all.put(replica, mine.snapshot(name, replica));
        }
        return all;
    }

    private DatasetCounts ownLastSnapshot(String name) {
        DatasetViews.View view = views.get(name);
        return view == null ? null : view.counts.get(replica);
    }

    /**
     * Appends a claim under a key of its own, reads the topic up to it, and checks whether it was the first of its
     * type for the dataset. A claim that lost is deleted (a tombstone) so compaction drops it.
     */
    private CompletableFuture<Boolean> claim(String name, String type, Object event,
                                             Function<String, String> winnerKey) {
        awaitLoaded();
        String key = name + "/" + type + "/" + UUID.randomUUID();
        return log.append(name, key, type, Json.write(event))
                .thenCompose(log::readPast)
                .orTimeout(waitLimit.toMillis(), TimeUnit.MILLISECONDS)
                .thenComposeAsync(read -> {
                    if (key.equals(winnerKey.apply(name))) {
                        return CompletableFuture.completedFuture(true);
                    }
                    return log.append(name, key, type, null).thenApply(deleted -> false);
                });
    }

    private void awaitLoaded() {
        if (!log.isLoaded()) {
            log.awaitLoaded(waitLimit);
        }
    }
}
