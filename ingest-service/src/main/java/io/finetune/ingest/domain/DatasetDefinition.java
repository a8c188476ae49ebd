package io.finetune.ingest.domain;

import java.util.List;

/**
 * What a dataset's records look like: which fields hold the text (several are joined, e.g. subject and body of an
 * e-mail), which holds the label, and optionally which labels are allowed.
 */
public record DatasetDefinition(String name, List<String> textFields, String labelField, List<String> labels) {
    public static DatasetDefinition defaults(String name) {
        return new DatasetDefinition(name, List.of("text"), "label", null);
    }

    public boolean allows(String label) {
        return labels == null || labels.isEmpty() || labels.contains(label);
    }
}
