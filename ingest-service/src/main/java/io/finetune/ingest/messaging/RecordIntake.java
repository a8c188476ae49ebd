package io.finetune.ingest.messaging;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.PreprocessOptions;
import io.finetune.ingest.domain.DatasetRegistry;
import io.finetune.ingest.domain.Validation;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What happens to a validated record, whichever way it came in: accepted records go to the dataset topic, seals
 * close the dataset, rejections go to the dead-letter topic with their reason and origin. Counts follow the sends.
 */
@ApplicationScoped
public class RecordIntake {
    static final String SERVICE = "ingest-service";
    private final PipelineOutput output;
    private final DatasetRegistry registry;

    public RecordIntake(PipelineOutput output, DatasetRegistry registry) {
        this.output = output;
        this.registry = registry;
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

    private Uni<Void> seal(Validation.Seal seal, String origin, String payload) {
        return seal(seal.dataset(), seal.options()).chain(sealed -> sealed ? Uni.createFrom().voidItem()
                : reject(new Validation.Rejected(seal.dataset(), "already-sealed", "end",
                "dataset '" + seal.dataset() + "' was sealed already"), origin, payload));
    }

    /**
     * Seals the dataset and sends its END marker; false (and nothing sent) when it was sealed already. A seal cut
     * short by a crash after its claim is finished by the next call, wherever it is made (see
     * {@link DatasetRegistry#seal}).
     */
    public Uni<Boolean> seal(String dataset, PreprocessOptions options) {
        return Uni.createFrom().completionStage(() -> registry.seal(dataset)).chain(accepted -> {
            if (accepted < 0) {
                return Uni.createFrom().item(false);
            }
            return output.send(DatasetRecord.end(dataset, accepted, options))
                    .onFailure().invoke(failure -> registry.sealAbandoned(dataset))
                    .chain(() -> Uni.createFrom().completionStage(() -> registry.sealEnded(dataset)))
                    .replaceWith(true);
        });
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
