package io.finetune.ingest.domain;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.PreprocessOptions;

/** The outcome of checking one incoming record. */
public sealed interface Validation {
    record Accepted(DatasetRecord record) implements Validation {
    }

    /** An end-of-dataset marker pushed onto the raw topic. */
    record Seal(String dataset, PreprocessOptions options) implements Validation {
    }

    /**
     * @param reason stable code, counted in metrics and status
     * @param field  the offending field, when one is to blame
     */
    record Rejected(String dataset, String reason, String field, String detail) implements Validation {
    }
}
