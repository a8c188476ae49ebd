package io.finetune.contracts;

import java.time.Instant;

/**
 * A seal of a dataset that preprocess could not prepare, on {@link Topics#SHARDS} (header ft-type=failed, key = the
 * dataset), where the manifest of a prepared one would be: whoever follows a dataset there (ingest's status) learns
 * of the failure the way it learns of a manifest. The dataset's records stay with preprocess, so the dataset may be
 * sealed again with other options ({@link DatasetSealed#seal()} one higher) without uploading them again.
 *
 * @param seal   which seal of the dataset failed: a later seal is not answered by this failure
 * @param reason stable code, as on the dead letter: invalid-options, unknown-model, too-few-classes, ...
 * @param detail what went wrong, in words
 */
public record PreparationFailed(int v, String dataset, int seal, String reason, String detail, Instant at)
        implements PreparationOutcome {
    public static final int VERSION = 1;
    /** The value of the {@link Topics#HEADER_TYPE} header. */
    public static final String RECORD_TYPE = "failed";

    public static PreparationFailed of(String dataset, int seal, String reason, String detail) {
        return new PreparationFailed(VERSION, dataset, seal, reason, detail, Instant.now());
    }
}
