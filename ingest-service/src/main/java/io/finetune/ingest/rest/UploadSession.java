package io.finetune.ingest.rest;

import io.finetune.ingest.domain.DatasetDefinition;
import io.finetune.ingest.domain.RecordValidator;
import io.finetune.ingest.domain.Validation;
import io.finetune.ingest.formats.RecordSink;
import io.finetune.ingest.formats.SourceItem;
import io.finetune.ingest.messaging.RecordIntake;
import io.finetune.service.rest.Problem;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One upload or import in progress: validates each record read, sends it (or its dead letter) to Kafka, and waits
 * for the acknowledgements every batch, so the report only counts what Kafka holds and memory stays bounded.
 */
final class UploadSession implements RecordSink {
    private static final int MAX_ERRORS_LISTED = 100;
    private final DatasetDefinition readAs;
    private final RecordValidator validator;
    private final RecordIntake intake;
    private final int batchSize;
    private final String defaultSplit;
    private final List<Map<String, Object>> errors = new ArrayList<>();
    private final List<CompletableFuture<Void>> pending = new ArrayList<>();
    private long accepted;
    private long rejected;

    /**
     * @param readAs       the field names to read records through, with the dataset's name and labels
     * @param defaultSplit the split of records that name none (e.g. a Hugging Face file per split), or null
     */
    UploadSession(DatasetDefinition readAs, RecordValidator validator, RecordIntake intake, int batchSize,
                  String defaultSplit) {
        this.readAs = readAs;
        this.validator = validator;
        this.intake = intake;
        this.batchSize = batchSize;
        this.defaultSplit = defaultSplit;
    }

    @Override
    public void accept(SourceItem item) {
        String dataset = readAs.name();
        Validation validation;
        if (!item.readable()) {
            validation = new Validation.Rejected(dataset, item.reason(), null, item.detail());
        } else {
            if (defaultSplit != null && !item.fields().hasNonNull("split")) {
                item.fields().put("split", defaultSplit);
            }
            validation = validator.validateRecord(item.fields(), readAs);
        }
        if (validation instanceof Validation.Rejected bad) {
            rejected++;
            if (errors.size() < MAX_ERRORS_LISTED) {
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("line", item.position());
                error.put("source", item.source());
                error.putAll(RecordIntake.describe(bad));
                errors.add(error);
            }
        } else {
            accepted++;
        }
        pending.add(intake.handleNow(validation, "rest:" + dataset + " " + item.source(), item.raw()));
        if (pending.size() >= batchSize) {
            awaitPending();
        }
    }

    /** @return the report; a 400 problem when nothing of a non-empty upload was accepted */
    UploadReport finish() {
        awaitPending();
        // One more round trip per upload, so that a crash right after the answer cannot lose the upload's counts.
        intake.countsSaved().join();
        if (accepted == 0 && rejected > 0) {
            throw Problem.of(Response.Status.BAD_REQUEST, "no record of the upload was accepted", errors);
        }
        return new UploadReport(readAs.name(), accepted, rejected, errors);
    }

    /** The upload broke off (unreadable body, refused archive): what was sent stays sent, and is reported. */
    WebApplicationException broken(String why) {
        awaitPending();
        return Problem.of(Response.Status.BAD_REQUEST, why + " (after " + accepted + " accepted and " + rejected
                + " rejected records)", errors);
    }

    private void awaitPending() {
        if (!pending.isEmpty()) {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
            pending.clear();
        }
    }
}
