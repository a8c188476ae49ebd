package io.finetune.preprocess.domain;

import io.finetune.contracts.SafeNames;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * One spool per dataset being received, under {@code <data-dir>/spool/<dataset>.jsonl}. A spool is a cache of the
 * records of a partition this replica owns: the committed offset never passes an unfinished dataset's first record
 * (see {@link PartitionLedger}), so whoever owns the partition can rebuild it from Kafka. Spools of a partition this
 * replica gives up are therefore deleted, not kept for a day that may not come.
 */
public final class Spools implements AutoCloseable {
    private static final String SUFFIX = ".jsonl";
    private final Path directory;
    private final Map<String, DatasetSpool> open = new ConcurrentHashMap<>();

    /** Opens every spool left on disk (by a restart), so that its partition is known before any is assigned. */
    public Spools(Path dataDir) {
        this.directory = dataDir.resolve("spool");
        if (Files.isDirectory(directory)) {
            try (Stream<Path> files = Files.list(directory)) {
                files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(SUFFIX))
                        .map(n -> n.substring(0, n.length() - SUFFIX.length())).filter(SafeNames::isSafe)
                        .forEach(this::of);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list spools in " + directory, e);
            }
        }
    }

    /** The dataset's spool; a name that could escape the directory is refused. */
    public DatasetSpool of(String dataset) {
        SafeNames.check(dataset, "dataset name");
        return open.computeIfAbsent(dataset, d -> DatasetSpool.open(directory.resolve(d + SUFFIX)));
    }

    /** The non-empty spools of datasets whose records come from {@code partition}, by dataset. */
    public Map<String, DatasetSpool> ofPartition(int partition) {
        Map<String, DatasetSpool> spools = new java.util.TreeMap<>();
        open.forEach((dataset, spool) -> {
            if (spool.count() > 0 && spool.partition() == partition) {
                spools.put(dataset, spool);
            }
        });
        return spools;
    }

    /**
     * Deletes the dataset's spool once it was prepared: the topic still holds the records. A failed preparation keeps
     * it, for the next seal of the dataset (while this replica keeps the partition).
     */
    public void discard(String dataset) {
        DatasetSpool spool = open.remove(dataset);
        if (spool != null) {
            spool.delete();
        }
    }

    /**
     * Deletes every spool whose records come from none of {@code partitions}, except the one of {@code inUse} (a
     * dataset being prepared right now; its preparation decides).
     *
     * @return the datasets whose spools were deleted
     */
    public List<String> retainOnly(Collection<Integer> partitions, String inUse) {
        List<String> gone = open.entrySet().stream()
                .filter(e -> !e.getKey().equals(inUse) && !partitions.contains(e.getValue().partition()))
                .map(Map.Entry::getKey).sorted().toList();
        gone.forEach(this::discard);
        return gone;
    }

    @Override
    public void close() {
        open.values().forEach(DatasetSpool::close);
    }
}
