package io.finetune.contracts;

import java.time.Instant;

/**
 * A dataset closed to new records, on {@link Topics#DATASET_REGISTRY} (key "dataset/sealed/claim"). The first seal
 * of a dataset in the topic wins; a later one is refused as "already-sealed". Written twice under one key: as a
 * claim, then with {@code ended} once the END marker is acknowledged, so a seal cut short by a crash between the
 * two can be finished by a retry instead of being refused.
 *
 * @param accepted the records accepted by all replicas as known to the sealing one: the END marker's count
 * @param process  the sealing process (one per start of a replica): a retry in another process finishes the seal
 * @param ended    whether the END marker is on {@link Topics#DATASET_RECORDS}
 */
public record DatasetSealed(int v, String dataset, long accepted, String replica, String process, boolean ended,
                            Instant at) {
    public static final int VERSION = 1;
    public static final String TYPE = "sealed";

    public static DatasetSealed claim(String dataset, long accepted, String replica, String process) {
        return new DatasetSealed(VERSION, dataset, accepted, replica, process, false, Instant.now());
    }

    public DatasetSealed asEnded() {
        return new DatasetSealed(v, dataset, accepted, replica, process, true, Instant.now());
    }
}
