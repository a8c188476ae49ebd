package io.finetune.ingest.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.finetune.contracts.RecordText;

import java.util.List;

/**
 * What a dataset's records look like: which fields hold the text (several are joined, e.g. subject and body of an
 * e-mail), which holds the label, which holds the record id (e.g. "Email_ID" of a CSV export), and optionally which
 * labels are allowed.
 *
 * @param continuous whether records keep coming after a seal, each seal ending a version of the dataset
 *                   (docs/ingest.md#continuous-datasets-versions); left out of the JSON when false
 * @param sealEvery  of a continuous dataset: seal the next version by itself once this many records were accepted
 *                   since the last seal; null (left out): only on request
 */
public record DatasetDefinition(String name, List<String> textFields, String labelField, List<String> labels,
                                String idField, @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean continuous,
                                @JsonInclude(JsonInclude.Include.NON_NULL) Integer sealEvery) {
    /** A dataset that a seal closes to records. */
    public DatasetDefinition(String name, List<String> textFields, String labelField, List<String> labels,
                             String idField) {
        this(name, textFields, labelField, labels, idField, false, null);
    }

    public static DatasetDefinition defaults(String name) {
        return new DatasetDefinition(name, RecordText.DEFAULT_FIELDS, "label", null, "id");
    }

    public boolean allows(String label) {
        return labels == null || labels.isEmpty() || labels.contains(label);
    }

    /** The same dataset read through other field names: the shape of a well-known format, the labels of this one. */
    public DatasetDefinition withFields(List<String> textFields, String labelField, String idField) {
        return new DatasetDefinition(name, textFields, labelField, labels, idField, continuous, sealEvery);
    }
}
