package io.finetune.ingest.domain;

import io.finetune.contracts.DatasetCounts;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** This replica's own counts of one dataset: counted per record in memory, published as snapshots now and then. */
final class ReplicaCounts {
    final AtomicLong accepted = new AtomicLong();
    final Map<String, AtomicLong> rejected = new ConcurrentHashMap<>();
    /** The total of the last snapshot handed to Kafka (guarded by the publisher's lock); -1 to publish again. */
    long publishedTotal = -1;

    /** @param last this replica's last published snapshot (before a restart), or null */
    ReplicaCounts(DatasetCounts last) {
        if (last != null) {
            accepted.set(last.accepted());
            last.rejectedByReason().forEach((reason, count) -> rejected.put(reason, new AtomicLong(count)));
            publishedTotal = total();
        }
    }

    void reject(String reason) {
        rejected.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }

    /** Counts only grow, so a changed total means changed counts. */
    long total() {
        long total = accepted.get();
        for (AtomicLong count : rejected.values()) {
            total += count.get();
        }
        return total;
    }

    DatasetCounts snapshot(String dataset, String replica) {
        Map<String, Long> byReason = new TreeMap<>();
        rejected.forEach((reason, count) -> byReason.put(reason, count.get()));
        return DatasetCounts.of(dataset, replica, accepted.get(), byReason);
    }
}
