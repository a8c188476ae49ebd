package io.finetune.contracts;

import java.time.Instant;
import java.util.Map;

/**
 * One ingest replica's running totals for a dataset, on {@link Topics#DATASET_REGISTRY} (key
 * "dataset/counts/replica"; compaction keeps the newest). A dataset's counts are the sum over replicas.
 *
 * @param rejectedByReason rejected records by reason code, e.g. "missing-label"
 */
public record DatasetCounts(int v, String dataset, String replica, long accepted, Map<String, Long> rejectedByReason,
                            Instant at) {
    public static final int VERSION = 1;
    public static final String TYPE = "counts";

    public static DatasetCounts of(String dataset, String replica, long accepted, Map<String, Long> rejectedByReason) {
        return new DatasetCounts(VERSION, dataset, replica, accepted, Map.copyOf(rejectedByReason), Instant.now());
    }
}
