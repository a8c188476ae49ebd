package io.finetune.contracts;

import java.time.Instant;
import java.util.List;

/**
 * A dataset created over ingest's REST API, on {@link Topics#DATASET_REGISTRY} (key "dataset/defined/claim").
 * Two replicas may create the same name at once: the first event of a dataset in the topic wins.
 *
 * @param replica    the ingest replica that created it
 * @param continuous true for a continuous dataset: records keep coming after a seal, and each seal ends a version of
 *                   it (all records so far); null (left out of the JSON) or false: a seal closes it to records
 * @param sealEvery  of a continuous dataset: ingest seals the next version by itself once this many records were
 *                   accepted since the last seal; null (left out): only on request
 */
public record DatasetDefined(int v, String dataset, List<String> textFields, String labelField, List<String> labels,
                             String idField, String replica, Instant at, Boolean continuous, Integer sealEvery) {
    public static final int VERSION = 1;
    public static final String TYPE = "defined";

    public static DatasetDefined of(String dataset, List<String> textFields, String labelField, List<String> labels,
                                    String idField, String replica) {
        return of(dataset, textFields, labelField, labels, idField, replica, false);
    }

    /** @param continuous written only when true, so a dataset that is not continuous has the event it always had */
    public static DatasetDefined of(String dataset, List<String> textFields, String labelField, List<String> labels,
                                    String idField, String replica, boolean continuous) {
        return of(dataset, textFields, labelField, labels, idField, replica, continuous, null);
    }

    public static DatasetDefined of(String dataset, List<String> textFields, String labelField, List<String> labels,
                                    String idField, String replica, boolean continuous, Integer sealEvery) {
        return new DatasetDefined(VERSION, dataset, textFields, labelField, labels, idField, replica, Instant.now(),
                continuous ? Boolean.TRUE : null, sealEvery);
    }
}
