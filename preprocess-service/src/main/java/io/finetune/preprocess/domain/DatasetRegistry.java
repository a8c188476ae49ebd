package io.finetune.preprocess.domain;

import io.finetune.contracts.ShardManifest;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The state of every dataset this instance has seen, for the REST API. Thread-safe. */
public final class DatasetRegistry {
    private final Map<String, DatasetStatus> datasets = new ConcurrentHashMap<>();

    public void receiving(String dataset, long received) {
        datasets.put(dataset, new DatasetStatus(dataset, DatasetStatus.State.RECEIVING, received, Instant.now(),
                null, null, null, null));
    }

    public void preparing(String dataset, long received) {
        datasets.put(dataset, new DatasetStatus(dataset, DatasetStatus.State.PREPARING, received, Instant.now(),
                null, null, null, null));
    }

    public void ready(String dataset, long received, ShardManifest manifest) {
        datasets.put(dataset, new DatasetStatus(dataset, DatasetStatus.State.READY, received, Instant.now(),
                DatasetStatus.Summary.of(manifest), manifest.report(), null, null));
    }

    public void failed(String dataset, long received, String reason, String detail) {
        datasets.put(dataset, new DatasetStatus(dataset, DatasetStatus.State.FAILED, received, Instant.now(),
                null, null, reason, detail));
    }

    /** Forgets a dataset shown as RECEIVING whose records turned out to be a replay of one finished before. */
    public void forgetReceiving(String dataset) {
        datasets.computeIfPresent(dataset, (d, status) -> status.state() == DatasetStatus.State.RECEIVING ? null
                : status);
    }

    public DatasetStatus status(String dataset) {
        return datasets.get(dataset);
    }

    public List<DatasetStatus> all() {
        Collection<DatasetStatus> values = datasets.values();
        return values.stream().sorted(Comparator.comparing(DatasetStatus::dataset)).toList();
    }
}
