package io.finetune.ingest.messaging;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.PreprocessOptions;
import io.finetune.ingest.domain.DatasetRegistry;
import io.finetune.ingest.domain.NextSeal;
import io.finetune.ingest.domain.RecordsEnd;
import io.finetune.ingest.domain.Validation;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What happens to a validated record, whichever way it came in: accepted records go to the dataset topic, seals
 * close the dataset (or close it again after a failed preparation), rejections go to the dead-letter topic with their
 * reason and origin. Counts follow the sends.
 */
@ApplicationScoped
public class RecordIntake {
    static final String SERVICE = "ingest-service";
    /** The reason of a seal of a continuous dataset that would change the options its prepared versions have. */
    public static final String OPTIONS_FIXED = "options-fixed";
    private final PipelineOutput output;
    private final DatasetRegistry registry;
    private final PreparedDatasets prepared;
    private final SealMarkers sealMarkers;

    public RecordIntake(PipelineOutput output, DatasetRegistry registry, PreparedDatasets prepared,
                        SealMarkers sealMarkers) {
        this.output = output;
        this.sealMarkers = sealMarkers;
        this.registry = registry;
        this.prepared = prepared;
    }

    /**
     * A record of the raw topic. The raw consumer handles a raw partition in order, so a record keyed by its dataset
     * is written before any END marker that is handled on its partition; every END marker is, because one that came
     * under another key is sent again keyed by its dataset (as a REST seal is, {@link SealMarkers}) instead of being
     * sealed where it arrived. So such a record needs no check against the END marker. (If its partition moves to
     * another replica while it is being written, that replica handles it again, before the END marker: a copy is
     * in.) A record under another key than its dataset's is checked as an upload's are ({@link #recordsEnd}).
     *
     * @param key    the raw record's key
     * @param origin where the record came from, e.g. "kafka:finetune.ingest.raw/0@42"
     */
    public Uni<Void> handleRaw(Validation validation, String key, String origin, String payload) {
        if (validation instanceof Validation.Accepted accepted) {
            return accept(accepted.record(), !accepted.record().dataset().equals(key), origin, payload);
        }
        if (validation instanceof Validation.Seal seal) {
            return seal.dataset().equals(key) ? seal(seal, origin, payload)
                    : sealMarkers.send(seal.dataset(), seal.options());
        }
        return reject((Validation.Rejected) validation, origin, payload);
    }

    /**
     * Writes an accepted record of a bulk upload to the dataset topic, not yet counted: completes with its place once
     * Kafka acknowledged it. It is in the dataset if it landed before the END marker: ask {@link #recordsEnd} once
     * the upload's records so far are acknowledged, then {@link #countAccepted} those in and {@link #reject} the
     * others.
     */
    public CompletableFuture<RecordMetadata> write(DatasetRecord record) {
        return output.sendNow(record);
    }

    /** Where the dataset's records end, for records acknowledged before the call ({@link DatasetRegistry#recordsEnd}). */
    public CompletableFuture<RecordsEnd> recordsEnd(String dataset) {
        return registry.recordsEnd(dataset);
    }

    public void countAccepted(String dataset, long records) {
        registry.countAccepted(dataset, records);
    }

    /** Whether a seal closed the dataset to records (a continuous dataset's seals never do). */
    public boolean isSealed(String dataset) {
        return registry.isClosedToRecords(dataset);
    }

    /** The rejection of a valid record that a seal closed the dataset to. */
    public static Validation.Rejected sealed(String dataset, String detail) {
        return new Validation.Rejected(dataset, "dataset-sealed", null, detail);
    }

    /**
     * A raw record: written, and counted as accepted; when {@code overtakable} (see {@link #handleRaw}) only if it
     * landed before the END marker, else it is dead-lettered as "dataset-sealed", as one that came after the seal is.
     */
    private Uni<Void> accept(DatasetRecord record, boolean overtakable, String origin, String payload) {
        String dataset = record.dataset();
        if (registry.isClosedToRecords(dataset)) {
            return reject(sealed(dataset, "dataset '" + dataset + "' is sealed: create a new dataset to add records"),
                    origin, payload);
        }
        if (!overtakable) {
            return Uni.createFrom().completionStage(() -> output.sendNow(record))
                    .invoke(() -> registry.countAccepted(dataset)).replaceWithVoid();
        }
        return Uni.createFrom().completionStage(() -> output.sendNow(record)
                        .thenCompose(at -> registry.recordsEnd(dataset)
                                .thenApply(end -> end.includes(at) ? null : end.excluded(dataset, at))))
                .chain(excluded -> {
                    if (excluded == null) {
                        registry.countAccepted(dataset);
                        return Uni.createFrom().voidItem();
                    }
                    return reject(sealed(dataset, excluded), origin, payload);
                });
    }

    /**
     * Seals the dataset and sends its END marker, or dead-letters the seal as "already-sealed" with the reason when
     * the dataset cannot be sealed now (see {@link DatasetRegistry#nextSeal}): a dataset is sealed again only after
     * preprocess failed to prepare it. A seal cut short by a crash after its claim is finished by the next one,
     * wherever it is made (see {@link DatasetRegistry#seal}).
     */
    private Uni<Void> seal(Validation.Seal seal, String origin, String payload) {
        String dataset = seal.dataset();
        // A worker thread: deciding may read the shards topic, which must not hold up the consumer's event loop.
        return Uni.createFrom().item(() -> registry.nextSeal(dataset, () -> prepared.outcome(dataset),
                        () -> prepared.newestManifest(dataset)))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(next -> {
                    if (next instanceof NextSeal.Refused refused) {
                        return refuse(dataset, refused.detail(), origin, payload);
                    }
                    NextSeal.Allowed allowed = (NextSeal.Allowed) next;
                    String conflict = allowed.conflict(dataset, seal.options());
                    return conflict != null
                            ? reject(new Validation.Rejected(dataset, OPTIONS_FIXED, "options", conflict), origin,
                            payload)
                            : seal(dataset, allowed.number(), allowed.options(seal.options()), origin, payload);
                });
    }

    private Uni<Void> seal(String dataset, int number, PreprocessOptions options, String origin, String payload) {
        boolean continuous = registry.isContinuous(dataset);
        return Uni.createFrom().completionStage(() -> registry.seal(dataset, number, options)).chain(accepted -> {
            if (accepted < 0) {
                return refuse(dataset, "dataset '" + dataset + "' was sealed already (seal " + number + ")", origin,
                        payload);
            }
            // The claim is acknowledged (and read back) before the END marker is sent, and the END marker's place is
            // recorded once it is acknowledged: DatasetRegistry#recordsEnd builds on that order.
            return Uni.createFrom().completionStage(() -> output.sendNow(DatasetRecord.end(dataset, accepted,
                            options, number, continuous)))
                    .onFailure().invoke(failure -> registry.sealAbandoned(dataset))
                    .chain(end -> Uni.createFrom().completionStage(() -> registry.sealEnded(dataset, end)));
        });
    }

    /**
     * Seals the next version of a continuous dataset that is due ({@link DatasetRegistry#dueForSeal}), straight onto
     * the dataset topic: a continuous dataset's records are all in it, each in the version its place gives it, so
     * unlike a requested seal this one need not travel behind the raw records. Every replica may try at once: the
     * first claim of the seal number wins, the others do nothing.
     *
     * @return whether this call sealed it
     */
    public CompletableFuture<Boolean> sealDue(String dataset, int number, PreprocessOptions options) {
        return registry.seal(dataset, number, options).thenCompose(accepted -> {
            if (accepted < 0) {
                return CompletableFuture.completedFuture(false);
            }
            return output.sendNow(DatasetRecord.end(dataset, accepted, options, number, true))
                    .whenComplete((end, error) -> {
                        if (error != null) {
                            registry.sealAbandoned(dataset);
                        }
                    })
                    .thenCompose(end -> registry.sealEnded(dataset, end)).thenApply(ended -> true);
        });
    }

    private Uni<Void> refuse(String dataset, String detail, String origin, String payload) {
        return reject(new Validation.Rejected(dataset, "already-sealed", "end", detail), origin, payload);
    }

    public Uni<Void> reject(Validation.Rejected rejected, String origin, String payload) {
        DeadLetter letter = DeadLetter.of(SERVICE, origin, rejected.dataset(), rejected.reason(),
                rejected.field() == null ? rejected.detail() : rejected.field() + ": " + rejected.detail(), payload);
        return output.deadLetter(letter).invoke(() -> registry.countRejected(rejected.dataset(), rejected.reason()));
    }

    /**
     * Completes once the counts of every record handled so far are on the registry topic: an upload that waits for
     * it before answering cannot lose its counts to a crash after the answer.
     */
    public CompletableFuture<Void> countsSaved() {
        return registry.publishCounts();
    }

    /** reason, field (when one is to blame) and detail, in that order, for error lists. */
    public static Map<String, Object> describe(Validation.Rejected rejected) {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("reason", rejected.reason());
        if (rejected.field() != null) {
            described.put("field", rejected.field());
        }
        described.put("detail", rejected.detail());
        return described;
    }
}
