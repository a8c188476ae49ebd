package io.finetune.ingest.messaging;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.PreprocessOptions;
import io.finetune.ingest.domain.DatasetRegistry;
import io.finetune.ingest.domain.NextSeal;
import io.finetune.ingest.domain.Validation;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

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
    private final PipelineOutput output;
    private final DatasetRegistry registry;
    private final PreparedDatasets prepared;

    public RecordIntake(PipelineOutput output, DatasetRegistry registry, PreparedDatasets prepared) {
        this.output = output;
        this.registry = registry;
        this.prepared = prepared;
    }

    /** @param origin where the record came from, e.g. "kafka:finetune.ingest.raw/0@42" or "rest:line 7" */
    public Uni<Void> handle(Validation validation, String origin, String payload) {
        if (validation instanceof Validation.Accepted accepted) {
            return accept(accepted.record(), origin, payload);
        }
        if (validation instanceof Validation.Seal seal) {
            return seal(seal, origin, payload);
        }
        return reject((Validation.Rejected) validation, origin, payload);
    }

    /**
     * The same as {@link #handle}, for bulk uploads: accepted records go straight to the producer (see
     * {@link PipelineOutput#sendNow}); counted once Kafka acknowledged them.
     */
    public CompletableFuture<Void> handleNow(Validation validation, String origin, String payload) {
        if (validation instanceof Validation.Accepted accepted && !registry.isSealed(accepted.record().dataset())) {
            DatasetRecord record = accepted.record();
            return output.sendNow(record).thenRun(() -> registry.countAccepted(record.dataset()));
        }
        return handle(validation, origin, payload).subscribeAsCompletionStage();
    }

    private Uni<Void> accept(DatasetRecord record, String origin, String payload) {
        if (registry.isSealed(record.dataset())) {
            return reject(new Validation.Rejected(record.dataset(), "dataset-sealed", null,
                    "dataset '" + record.dataset() + "' is sealed: create a new dataset to add records"), origin, payload);
        }
        return output.send(record).invoke(() -> registry.countAccepted(record.dataset()));
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
        return Uni.createFrom().item(() -> registry.nextSeal(dataset, () -> prepared.outcome(dataset)))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(next -> next instanceof NextSeal.Allowed allowed
                        ? seal(dataset, allowed.number(), seal.options(), origin, payload)
                        : refuse(dataset, ((NextSeal.Refused) next).detail(), origin, payload));
    }

    private Uni<Void> seal(String dataset, int number, PreprocessOptions options, String origin, String payload) {
        return Uni.createFrom().completionStage(() -> registry.seal(dataset, number)).chain(accepted -> {
            if (accepted < 0) {
                return refuse(dataset, "dataset '" + dataset + "' was sealed already (seal " + number + ")", origin,
                        payload);
            }
            return output.send(DatasetRecord.end(dataset, accepted, options, number))
                    .onFailure().invoke(failure -> registry.sealAbandoned(dataset))
                    .chain(() -> Uni.createFrom().completionStage(() -> registry.sealEnded(dataset)));
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
