package io.finetune.contracts;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link ShardReader} knows of one partition of {@link Topics#SHARDS}: the offset it has read up to and, per
 * dataset on the partition, its newest manifest, its newest outcome (manifest or {@link PreparationFailed}, whichever
 * came later) and where each of its builds lies: from the build's first record (shard, tokenizer chunk or manifest)
 * to its newest manifest. Offsets and manifests only, never shard data: it stays small however large the datasets.
 * Not thread-safe: {@link ShardReader} reads and changes it under its lock.
 */
final class PartitionIndex {
    /** Where one build's records lie, both ends included; {@code manifest} is -1 until its manifest is read. */
    record BuildRange(long first, long manifest) {
    }

    private static final class Dataset {
        ShardManifest newestManifest;
        PreparationOutcome newestOutcome;
        String unreadable;
        final Map<String, BuildRange> builds = new HashMap<>();
    }

    private final Map<String, Dataset> datasets = new HashMap<>();
    private long next = -1;

    /** The offset to read from next; -1 before anything was read. */
    long next() {
        return next;
    }

    /** Forgets everything and reads again from {@code offset} (the partition's log start). */
    void restartAt(long offset) {
        datasets.clear();
        next = offset;
    }

    /** The records up to {@code offset} (exclusive) were all {@link #add}ed. */
    void readUpTo(long offset) {
        next = offset;
    }

    /** One record of the partition, in offset order; a record without key or value belongs to no dataset. */
    void add(long offset, String dataset, ShardsTopicValue value) {
        if (dataset == null || value == null) {
            return;
        }
        Dataset entry = datasets.computeIfAbsent(dataset, d -> new Dataset());
        if (value.problem() != null && value.isOutcome()) {
            entry.unreadable = "the " + value.type() + " record at offset " + offset + " cannot be read: "
                    + value.problem();
            return;
        }
        if (value.build() != null) {
            BuildRange range = entry.builds.get(value.build());
            long first = range == null ? offset : range.first();
            boolean manifest = value.outcome() instanceof ShardManifest;
            long manifestAt = manifest ? offset : range == null ? -1 : range.manifest();
            entry.builds.put(value.build(), new BuildRange(first, manifestAt));
        }
        if (value.outcome() instanceof ShardManifest manifest) {
            entry.newestManifest = manifest;
        }
        if (value.outcome() != null) {
            entry.newestOutcome = value.outcome();
        }
    }

    Optional<ShardManifest> newestManifest(String dataset) {
        return Optional.ofNullable(readable(dataset)).map(d -> d.newestManifest);
    }

    Optional<PreparationOutcome> newestOutcome(String dataset) {
        return Optional.ofNullable(readable(dataset)).map(d -> d.newestOutcome);
    }

    /** The build's range, once its manifest was read. */
    Optional<BuildRange> build(String dataset, String build) {
        return Optional.ofNullable(readable(dataset)).map(d -> d.builds.get(build)).filter(r -> r.manifest() >= 0);
    }

    private Dataset readable(String dataset) {
        Dataset entry = datasets.get(dataset);
        if (entry != null && entry.unreadable != null) {
            throw new IllegalStateException("dataset " + dataset + ": " + entry.unreadable);
        }
        return entry;
    }
}
