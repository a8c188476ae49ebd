package io.finetune.ingest.domain;

import io.finetune.contracts.SafeNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The datasets this ingest instance has seen, their definitions and counts. Datasets pushed straight onto Kafka
 * without being created first get the default shape (fields "text" and "label").
 */
@ApplicationScoped
public class DatasetRegistry {
    private final Map<String, Entry> datasets = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    // Looked up once: a registry lookup per record is measurable at tens of thousands of records per second.
    private final Counter acceptedCounter;
    private final Map<String, Counter> rejectedCounters = new ConcurrentHashMap<>();

    public DatasetRegistry(MeterRegistry meters) {
        this.meters = meters;
        this.acceptedCounter = meters.counter("finetune.ingest.records", "outcome", "accepted", "reason", "none");
    }

    private static final class Entry {
        final DatasetDefinition definition;
        volatile boolean sealed;
        final AtomicLong accepted = new AtomicLong();
        final Map<String, AtomicLong> rejected = new ConcurrentHashMap<>();

        Entry(DatasetDefinition definition) {
            this.definition = definition;
        }
    }

    /** @return false when a dataset of that name exists already */
    public boolean create(DatasetDefinition definition) {
        SafeNames.check(definition.name(), "dataset name");
        return datasets.putIfAbsent(definition.name(), new Entry(definition)) == null;
    }

    public boolean exists(String name) {
        return datasets.containsKey(name);
    }

    public DatasetDefinition definition(String name) {
        return entry(name).definition;
    }

    public boolean isSealed(String name) {
        Entry entry = datasets.get(name);
        return entry != null && entry.sealed;
    }

    /** @return the number of accepted records, or -1 when the dataset was sealed already */
    public long seal(String name) {
        Entry entry = entry(name);
        synchronized (entry) {
            if (entry.sealed) {
                return -1;
            }
            entry.sealed = true;
            return entry.accepted.get();
        }
    }

    public void countAccepted(String name) {
        entry(name).accepted.incrementAndGet();
        acceptedCounter.increment();
    }

    public void countRejected(String name, String reason) {
        if (name != null && SafeNames.isSafe(name)) {
            entry(name).rejected.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
        }
        rejectedCounters.computeIfAbsent(reason,
                r -> meters.counter("finetune.ingest.records", "outcome", "rejected", "reason", r)).increment();
    }

    public DatasetStatus status(String name) {
        Entry entry = datasets.get(name);
        if (entry == null) {
            return null;
        }
        Map<String, Long> byReason = new TreeMap<>();
        entry.rejected.forEach((reason, count) -> byReason.put(reason, count.get()));
        long rejected = byReason.values().stream().mapToLong(Long::longValue).sum();
        return new DatasetStatus(entry.definition, entry.sealed ? "SEALED" : "OPEN", entry.accepted.get(), rejected,
                byReason, null);
    }

    private Entry entry(String name) {
        return datasets.computeIfAbsent(name, n -> new Entry(DatasetDefinition.defaults(n)));
    }
}
