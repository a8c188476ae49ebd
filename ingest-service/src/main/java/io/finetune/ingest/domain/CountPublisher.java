package io.finetune.ingest.domain;

import io.finetune.contracts.DatasetCounts;
import io.finetune.contracts.Json;
import io.finetune.ingest.messaging.RegistryLog;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * This replica's counters, and their snapshots on the registry topic: one event per changed dataset per round (every
 * publish interval), never one per record, so counting costs an atomic increment per record and no Kafka send.
 */
final class CountPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CountPublisher.class);
    private final RegistryLog log;
    private final String replica;
    private final Function<String, DatasetCounts> lastPublished;
    private final Map<String, ReplicaCounts> counts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "ingest-registry-counts");
        thread.setDaemon(true);
        return thread;
    });
    private final Object lock = new Object();
    /** Completes when a round that started after it was handed out has been acknowledged by Kafka. */
    private volatile CompletableFuture<Void> nextRound = new CompletableFuture<>();
    /** The last round's sends: a round that finds nothing new is done only when the one that sent it is. */
    private CompletableFuture<Void> lastRound = CompletableFuture.completedFuture(null);

    /** @param lastPublished this replica's snapshot of a dataset in the topic (from before a restart), or null */
    CountPublisher(RegistryLog log, String replica, Function<String, DatasetCounts> lastPublished) {
        this.log = log;
        this.replica = replica;
        this.lastPublished = lastPublished;
    }

    void start(Duration interval) {
        timer.scheduleWithFixedDelay(this::publishQuietly, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Only once the registry is read: a replica's counters go on from its own last snapshot. */
    ReplicaCounts of(String dataset) {
        ReplicaCounts mine = counts.get(dataset);
        return mine != null ? mine : counts.computeIfAbsent(dataset, d -> new ReplicaCounts(lastPublished.apply(d)));
    }

    ReplicaCounts peek(String dataset) {
        return counts.get(dataset);
    }

    /** Completes once every count made before the call is in a snapshot Kafka acknowledged (the next round). */
    CompletableFuture<Void> published() {
        return nextRound;
    }

    /** Publishes every changed dataset now; completes when Kafka acknowledged them (or fails if it did not). */
    CompletableFuture<Void> publish() {
        CompletableFuture<Void> waiting;
        CompletableFuture<Void> all;
        List<CompletableFuture<?>> sends = new ArrayList<>();
        synchronized (lock) {
            sends.add(lastRound.exceptionally(failed -> null));
            waiting = nextRound;
            nextRound = new CompletableFuture<>();
            counts.forEach((dataset, mine) -> {
                long total = mine.total();
                if (total != mine.publishedTotal) {
                    mine.publishedTotal = total;
                    sends.add(log.append(dataset, dataset + "/counts/" + replica, DatasetCounts.TYPE,
                                    Json.write(mine.snapshot(dataset, replica)))
                            .whenComplete((sent, error) -> {
                                if (error != null) {
                                    synchronized (lock) {
                                        mine.publishedTotal = -1; // the next round sends it again
                                    }
                                }
                            }));
                }
            });
            all = CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
            lastRound = all;
        }
        all.whenComplete((done, error) -> {
            if (error == null) {
                waiting.complete(null);
            } else {
                // Whoever waits for these counts waits for the next round that succeeds.
                nextRound.whenComplete((later, ignored) -> waiting.complete(null));
            }
        });
        return all;
    }

    private void publishQuietly() {
        try {
            publish().exceptionally(error -> {
                LOG.warnf("dataset counts not published, retrying: %s", error.toString());
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warnf("dataset counts not published, retrying: %s", e.toString());
        }
    }

    /** A last round, so a clean shutdown loses no count. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            publish().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("last dataset counts not published: %s", e.toString());
        }
    }
}
