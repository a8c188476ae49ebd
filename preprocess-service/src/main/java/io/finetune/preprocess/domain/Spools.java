package io.finetune.preprocess.domain;

import io.finetune.contracts.SafeNames;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One open spool per dataset being received, under {@code <data-dir>/spool/<dataset>.jsonl}. */
public final class Spools implements AutoCloseable {
    private final Path directory;
    private final Map<String, DatasetSpool> open = new ConcurrentHashMap<>();

    public Spools(Path dataDir) {
        this.directory = dataDir.resolve("spool");
    }

    /** The dataset's spool; a name that could escape the directory is refused. */
    public DatasetSpool of(String dataset) {
        SafeNames.check(dataset, "dataset name");
        return open.computeIfAbsent(dataset, d -> DatasetSpool.open(directory.resolve(d + ".jsonl")));
    }

    /**
     * Deletes the dataset's spool once it was prepared: the topic still holds the records. A failed preparation keeps
     * it, for the next seal of the dataset.
     */
    public void discard(String dataset) {
        DatasetSpool spool = open.remove(dataset);
        if (spool != null) {
            spool.delete();
        }
    }

    @Override
    public void close() {
        open.values().forEach(DatasetSpool::close);
    }
}
