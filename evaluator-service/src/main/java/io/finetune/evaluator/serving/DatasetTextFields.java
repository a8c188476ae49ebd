package io.finetune.evaluator.serving;

import java.util.List;

/**
 * Where a dataset keeps its text: the text fields of its definition on ingest's registry, read as ingest reads them
 * ({@link io.finetune.contracts.DatasetDefinitions}); {@code ["text"]} for a dataset nobody defined.
 */
@FunctionalInterface
public interface DatasetTextFields {
    /** @throws RuntimeException when the registry cannot be read now */
    List<String> of(String dataset);
}
