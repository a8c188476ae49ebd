package io.finetune.contracts;

import java.time.Instant;

/**
 * A dataset closed to new records, on {@link Topics#DATASET_REGISTRY} (key "dataset/sealed/claim"). The first claim
 * of a seal number in the topic wins; a later one is refused as "already-sealed". A dataset is sealed once, unless
 * preprocess could not prepare it ({@link PreparationFailed}): then it may be sealed again, with other options, as
 * seal number one higher, over the same records. Each seal is written twice under one key: as a claim, then with
 * {@code ended} once the END marker is acknowledged, so a seal cut short by a crash between the two can be finished
 * by a retry instead of being refused.
 *
 * @param seal     which seal of the dataset: 1, then one more for each seal after a failed preparation. Events
 *                 written before datasets could be sealed again carry none: they were first seals
 * @param accepted the records accepted by all replicas as known to the sealing one: the END marker's count
 * @param process  the sealing process (one per start of a replica): a retry in another process finishes the seal
 * @param ended    whether the END marker is on {@link Topics#DATASET_RECORDS}
 * @param endPartition the END marker's partition of {@link Topics#DATASET_RECORDS}, once ended; null in events
 *                     written before it was recorded
 * @param endOffset    the END marker's offset there: a record of the dataset at a higher offset was written after the
 *                     seal and is not in the dataset; null as endPartition
 * @param options      of a continuous dataset: the preprocess options its END marker carries, so that a later
 *                     version can be held to the options of the prepared one; null (left out) for other datasets
 */
public record DatasetSealed(int v, String dataset, int seal, long accepted, String replica, String process,
                            boolean ended, Instant at, Integer endPartition, Long endOffset,
                            PreprocessOptions options) {
    public static final int VERSION = 1;
    public static final String TYPE = "sealed";

    public DatasetSealed {
        seal = Math.max(seal, 1);
    }

    public static DatasetSealed claim(String dataset, int seal, long accepted, String replica, String process) {
        return claim(dataset, seal, accepted, replica, process, null);
    }

    /** @param options the END marker's options, recorded for a continuous dataset only (else null) */
    public static DatasetSealed claim(String dataset, int seal, long accepted, String replica, String process,
                                      PreprocessOptions options) {
        return new DatasetSealed(VERSION, dataset, seal, accepted, replica, process, false, Instant.now(), null, null,
                options);
    }

    /** The claim, its END marker acknowledged at an unknown place. */
    public DatasetSealed asEnded() {
        return new DatasetSealed(v, dataset, seal, accepted, replica, process, true, Instant.now(), null, null,
                options);
    }

    /** The claim, its END marker acknowledged at {@code offset} of {@code partition}. */
    public DatasetSealed asEnded(int partition, long offset) {
        return new DatasetSealed(v, dataset, seal, accepted, replica, process, true, Instant.now(), partition, offset,
                options);
    }
}
