package io.finetune.ingest.domain;

import java.util.Map;

/** What ingest knows of a dataset: its shape, whether it is sealed, and how many records went where. */
public record DatasetStatus(DatasetDefinition definition, String state, long accepted, long rejected,
                            Map<String, Long> rejectedByReason) {
}
