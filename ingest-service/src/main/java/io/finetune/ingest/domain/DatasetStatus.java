package io.finetune.ingest.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.finetune.contracts.PreparationFailed;
import io.finetune.contracts.PreparationOutcome;
import io.finetune.contracts.ShardManifest;

import java.util.List;
import java.util.Map;

/**
 * What is known of a dataset: its shape, its state, how many records went where, and, once preprocess has prepared
 * it, its manifest with the cleaning report; or, when preprocess could not prepare its current seal, why.
 *
 * @param prepared the manifest once the state is PREPARED, else null
 * @param failure  why the current seal could not be prepared once the state is FAILED, else null
 * @param versions of a continuous dataset, its versions; null (left out) for other datasets
 */
public record DatasetStatus(DatasetDefinition definition, State state, long accepted, long rejected,
                            Map<String, Long> rejectedByReason, ShardManifest prepared, PreparationFailed failure,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Versions versions) {
    /**
     * OPEN takes records; SEALED takes none and is with preprocess; PREPARED has its shards; FAILED could not be
     * prepared as sealed and may be sealed again, with other options, over the same records. A continuous dataset
     * takes records in every state: the state is that of its newest version.
     */
    public enum State { OPEN, SEALED, PREPARED, FAILED }

    /**
     * The versions of a continuous dataset.
     *
     * @param open   the version that records accepted now belong to: one more than the newest seal
     * @param sealed each sealed version, oldest first
     */
    public record Versions(int open, List<Version> sealed) {
    }

    /**
     * @param version  the seal number, which ends it
     * @param accepted the records accepted into the dataset up to its END marker, as the sealing replica counted them
     *                 (every version holds the records of the versions before it)
     * @param ended    whether its END marker is on the dataset topic
     */
    public record Version(int version, long accepted, boolean ended) {
    }

    /**
     * This sealed dataset as preprocess's last word on it says: a manifest prepares it for good (a prepared dataset
     * is not sealed again); a failure of {@code seal}, its current seal, fails it. A failure of an earlier seal says
     * nothing of the current one, which is still being prepared.
     */
    DatasetStatus answeredBy(PreparationOutcome outcome, int seal) {
        if (outcome instanceof ShardManifest manifest) {
            // Of a continuous dataset, a manifest prepares only its own version; an older one is shown beside the
            // newest version, which is still being prepared.
            State answered = manifest.version() == null || manifest.version() >= seal ? State.PREPARED : state;
            return new DatasetStatus(definition, answered, accepted, rejected, rejectedByReason, manifest, null,
                    versions);
        }
        if (outcome instanceof PreparationFailed failed && failed.seal() == seal) {
            return new DatasetStatus(definition, State.FAILED, accepted, rejected, rejectedByReason, null, failed,
                    versions);
        }
        return this;
    }
}
