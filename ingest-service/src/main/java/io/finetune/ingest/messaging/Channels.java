package io.finetune.ingest.messaging;

/** Channel names of application.properties, shared with the tests. */
public final class Channels {
    public static final String RAW_RECORDS = "raw-records";
    public static final String DATASET_RECORDS = "dataset-records";
    public static final String DEAD_LETTERS = "dead-letters";
    public static final String SEAL_MARKERS = "seal-markers";

    private Channels() {
    }
}
