package io.finetune.ingest.rest;

import io.finetune.contracts.DatasetRecord;
import io.finetune.ingest.domain.DatasetDefinition;
import io.finetune.ingest.domain.RecordsEnd;
import io.finetune.ingest.domain.RecordValidator;
import io.finetune.ingest.domain.Validation;
import io.finetune.ingest.formats.RecordSink;
import io.finetune.ingest.formats.SourceItem;
import io.finetune.ingest.messaging.RecordIntake;
import io.finetune.service.rest.Problem;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One upload or import in progress: validates each record read, sends it (or its dead letter) to Kafka, and waits
 * for the acknowledgements every batch, so the report only counts what Kafka holds and memory stays bounded. A record
 * is counted as accepted only once it is acknowledged and known to be before the dataset's END marker: a seal made
 * meanwhile, on this replica or another, may have overtaken it ({@link RecordIntake#recordsEnd}). Such records, and
 * the upload's records after them, are refused: the answer is then a 409 that counts both.
 */
final class UploadSession implements RecordSink {
    private static final int MAX_ERRORS_LISTED = 100;

    /** A record sent to the dataset topic, not yet known to be in the dataset. */
    private record Written(long line, String source, CompletableFuture<RecordMetadata> at) {
    }

    private final DatasetDefinition readAs;
    private final RecordValidator validator;
    private final RecordIntake intake;
    private final int batchSize;
    private final String defaultSplit;
    private final List<Map<String, Object>> errors = new ArrayList<>();
    private final List<CompletableFuture<Void>> pending = new ArrayList<>();
    private final List<Written> written = new ArrayList<>();
    private long accepted;
    private long rejected;
    private long refused;
    private long firstRefusedLine = -1;

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
        String origin = "rest:" + dataset + " " + item.source();
        if (validation instanceof Validation.Rejected bad) {
            rejected++;
            listError(item.position(), item.source(), bad);
            pending.add(intake.reject(bad, origin, item.raw()).subscribeAsCompletionStage());
        } else if (intake.isSealed(dataset)) {
            if (!written.isEmpty()) {
                settle(); // records written before this one are decided first: the errors stay in line order
            }
            refuse(item.position(), item.source(), RecordIntake.sealed(dataset, "dataset '" + dataset
                    + "' was sealed while this upload was being read: this record was not written"), item.raw());
        } else {
            DatasetRecord record = ((Validation.Accepted) validation).record();
            written.add(new Written(item.position(), item.source(), intake.write(record)));
        }
        if (pending.size() + written.size() >= batchSize) {
            settle();
        }
    }

    /**
     * @return the report; a 400 problem when nothing of a non-empty upload was accepted; a 409 problem when a seal
     * closed the dataset before all of it was in
     */
    UploadReport finish() {
        settle();
        // One more round trip per upload, so that a crash right after the answer cannot lose the upload's counts.
        intake.countsSaved().join();
        if (refused > 0) {
            throw Problem.of(Response.Status.CONFLICT, "dataset '" + readAs.name() + "' was sealed while this upload"
                    + " was being written: " + accepted + " record(s) were accepted (they are before the seal's END"
                    + " marker, in the dataset), " + refused + " were refused as dataset-sealed (not in the dataset),"
                    + " from line " + firstRefusedLine + " on, and " + rejected + " were rejected as invalid; the"
                    + " errors list each by line (the first " + MAX_ERRORS_LISTED + ")", errors);
        }
        if (accepted == 0 && rejected > 0) {
            throw Problem.of(Response.Status.BAD_REQUEST, "no record of the upload was accepted", errors);
        }
        return new UploadReport(readAs.name(), accepted, rejected, errors);
    }

    /** The upload broke off (unreadable body, refused archive): what was sent stays sent, and is reported. */
    WebApplicationException broken(String why) {
        settle();
        return Problem.of(Response.Status.BAD_REQUEST, why + " (after " + accepted + " accepted, " + rejected
                + " rejected" + (refused > 0 ? " and " + refused + " refused as dataset-sealed" : "") + " records)",
                errors);
    }

    /**
     * Waits for the batch's acknowledgements, then asks where the dataset's records end: those written before the
     * END marker (all of them, when no seal has started) are accepted, the others refused.
     */
    private void settle() {
        if (!written.isEmpty()) {
            String dataset = readAs.name();
            CompletableFuture.allOf(written.stream().map(Written::at).toArray(CompletableFuture[]::new)).join();
            RecordsEnd end = intake.recordsEnd(dataset).join();
            long in = 0;
            for (Written one : written) {
                RecordMetadata at = one.at().join();
                if (end.includes(at)) {
                    in++;
                } else {
                    // Not resent: the record is on the dataset topic behind the END marker, where preprocess
                    // leaves it out; the dead letter points there.
                    refuse(one.line(), one.source(), RecordIntake.sealed(dataset, end.excluded(dataset, at)), null);
                }
            }
            intake.countAccepted(dataset, in);
            accepted += in;
            written.clear();
        }
        if (!pending.isEmpty()) {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
            pending.clear();
        }
    }

    private void refuse(long line, String source, Validation.Rejected sealed, String payload) {
        refused++;
        if (firstRefusedLine < 0 || line < firstRefusedLine) {
            firstRefusedLine = line;
        }
        listError(line, source, sealed);
        pending.add(intake.reject(sealed, "rest:" + readAs.name() + " " + source, payload)
                .subscribeAsCompletionStage());
    }

    private void listError(long line, String source, Validation.Rejected bad) {
        if (errors.size() < MAX_ERRORS_LISTED) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("line", line);
            error.put("source", source);
            error.putAll(RecordIntake.describe(bad));
            errors.add(error);
        }
    }
}
