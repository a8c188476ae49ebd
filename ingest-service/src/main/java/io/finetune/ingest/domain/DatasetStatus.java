package io.finetune.ingest.domain;

import io.finetune.contracts.ShardManifest;

import java.util.Map;

/**
 * What is known of a dataset: its shape, whether it is sealed, how many records went where, and, once preprocess
 * has prepared it, its manifest with the cleaning report (null until then).
 */
public record DatasetStatus(DatasetDefinition definition, String state, long accepted, long rejected,
                            Map<String, Long> rejectedByReason, ShardManifest prepared) {
    public DatasetStatus withPrepared(ShardManifest manifest) {
        return new DatasetStatus(definition, manifest == null ? state : "PREPARED", accepted, rejected,
                rejectedByReason, manifest);
    }
}
