package io.finetune.ingest.domain;

import io.finetune.contracts.PreparationFailed;
import io.finetune.contracts.PreparationOutcome;
import io.finetune.contracts.ShardManifest;

import java.util.Map;

/**
 * What is known of a dataset: its shape, its state, how many records went where, and, once preprocess has prepared
 * it, its manifest with the cleaning report; or, when preprocess could not prepare its current seal, why.
 *
 * @param prepared the manifest once the state is PREPARED, else null
 * @param failure  why the current seal could not be prepared once the state is FAILED, else null
 */
public record DatasetStatus(DatasetDefinition definition, State state, long accepted, long rejected,
                            Map<String, Long> rejectedByReason, ShardManifest prepared, PreparationFailed failure) {
    /**
     * OPEN takes records; SEALED takes none and is with preprocess; PREPARED has its shards; FAILED could not be
     * prepared as sealed and may be sealed again, with other options, over the same records.
     */
    public enum State { OPEN, SEALED, PREPARED, FAILED }

    /**
     * This sealed dataset as preprocess's last word on it says: a manifest prepares it for good (a prepared dataset
     * is not sealed again); a failure of {@code seal}, its current seal, fails it. A failure of an earlier seal says
     * nothing of the current one, which is still being prepared.
     */
    DatasetStatus answeredBy(PreparationOutcome outcome, int seal) {
        if (outcome instanceof ShardManifest manifest) {
            return new DatasetStatus(definition, State.PREPARED, accepted, rejected, rejectedByReason, manifest, null);
        }
        if (outcome instanceof PreparationFailed failed && failed.seal() == seal) {
            return new DatasetStatus(definition, State.FAILED, accepted, rejected, rejectedByReason, null, failed);
        }
        return this;
    }
}
