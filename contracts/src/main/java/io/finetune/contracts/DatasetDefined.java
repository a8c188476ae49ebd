package io.finetune.contracts;

import java.time.Instant;
import java.util.List;

/**
 * A dataset created over ingest's REST API, on {@link Topics#DATASET_REGISTRY} (key "dataset/defined/claim").
 * Two replicas may create the same name at once: the first event of a dataset in the topic wins.
 *
 * @param replica the ingest replica that created it
 */
public record DatasetDefined(int v, String dataset, List<String> textFields, String labelField, List<String> labels,
                             String idField, String replica, Instant at) {
    public static final int VERSION = 1;
    public static final String TYPE = "defined";

    public static DatasetDefined of(String dataset, List<String> textFields, String labelField, List<String> labels,
                                    String idField, String replica) {
        return new DatasetDefined(VERSION, dataset, textFields, labelField, labels, idField, replica, Instant.now());
    }
}
