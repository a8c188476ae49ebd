package io.finetune.evaluator.messaging;

import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.evaluator.config.EvaluatorConfig;
import io.finetune.evaluator.domain.CheckpointScorer;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationMeters;
import io.finetune.evaluator.domain.EvaluationStore;
import io.finetune.evaluator.domain.ModelShelf;
import io.finetune.evaluator.domain.Rejection;
import io.finetune.evaluator.domain.Workspace;
import io.finetune.evaluator.retention.CheckpointRetention;
import io.finetune.evaluator.serving.Promotions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.finetune.service.messaging.Retries;
import io.finetune.service.messaging.TransientFailures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Complete checkpoints waiting for their evaluation, on disk ({@link Workspace#pending()}) and evaluated one at a
 * time on a thread of their own. The chunk that completes a checkpoint is acknowledged as soon as the checkpoint is
 * queued here, so an evaluation that takes longer than the channel lets a record wait (a large test split on a CPU)
 * no longer fails the channel. A failure that passes (the broker unreachable while the test split is read or the
 * result sent) is retried with growing pauses until it succeeds, so the checkpoint is evaluated once it can be, and
 * never turned into a dead letter for it; a failure of the checkpoint itself becomes a dead letter with its reason. A
 * service that stops mid-evaluation finds the checkpoint here when it starts again.
 */
@ApplicationScoped
public class EvaluationQueue {
    private static final Logger LOG = Logger.getLogger(EvaluationQueue.class);
    private static final Duration SEND_TIMEOUT = Duration.ofMinutes(2);
    static final String ARCHIVE = "archive.zip";
    static final String INFO = "pending.json";

    /** What a dead letter about the checkpoint needs besides its archive. */
    record Pending(String checkpointId, String jobId, String origin, Instant queuedAt) {
    }

    private final Workspace workspace;
    private final CheckpointScorer scorer;
    private final EvaluationStore store;
    private final EvaluatorOutput output;
    private final EvaluationMeters meters;
    private final ModelShelf shelf;
    private final Promotions promotions;
    private final CheckpointRetention retention;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "evaluation-queue");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean stopping;

    public EvaluationQueue(Workspace workspace, CheckpointScorer scorer, EvaluationStore store,
                           EvaluatorOutput output, EvaluationMeters meters, ModelShelf shelf,
                           Promotions promotions, CheckpointRetention retention) {
        this.workspace = workspace;
        this.scorer = scorer;
        this.store = store;
        this.output = output;
        this.meters = meters;
        this.shelf = shelf;
        this.promotions = promotions;
        this.retention = retention;
    }

    /**
     * Moves a complete, verified archive into the queue and returns once it and what the queue needs to know are on
     * disk: then the chunk that completed it may be acknowledged.
     */
    public void submit(String checkpointId, String jobId, Path archive, String origin) {
        Path dir = workspace.pendingOf(checkpointId);
        Pending pending = new Pending(checkpointId, jobId, origin, Instant.now());
        try {
            Files.createDirectories(dir);
            Files.move(archive, dir.resolve(ARCHIVE), StandardCopyOption.REPLACE_EXISTING);
            // Written last and atomically: a folder without it is an interrupted hand-off, whose chunk was not
            // acknowledged and comes again.
            Path partial = dir.resolve(INFO + ".partial");
            Files.writeString(partial, Json.write(pending));
            Files.move(partial, dir.resolve(INFO), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot queue checkpoint " + checkpointId + " in " + dir, e);
        }
        workspace.cleanChunks(checkpointId);
        enqueue(pending);
    }

    /** Whether the checkpoint waits here (or is being evaluated): its chunks, delivered again, are not needed. */
    public boolean contains(String checkpointId) {
        return queued.contains(checkpointId) || Files.isRegularFile(workspace.pendingOf(checkpointId).resolve(INFO));
    }

    /** Checkpoints queued before a stop are evaluated first, oldest first. A serving replica evaluates nothing. */
    void onStart(@Observes StartupEvent event, EvaluatorConfig config) {
        if (config.role() == EvaluatorConfig.Role.SERVING) {
            // Nor does it review retention: it keeps no evaluations, so it would take every checkpoint for unneeded.
            return;
        }
        List<Pending> waiting = recover(workspace.pending());
        if (!waiting.isEmpty()) {
            LOG.infof("%d checkpoint(s) queued before the last stop: evaluating them", waiting.size());
        }
        waiting.forEach(this::enqueue);
        // On the worker, after them: what a stop left unreleased (or a deployment change made unneeded) is freed.
        worker.execute(() -> retention.review(this::contains));
    }

    /**
     * What a stop left in the queue folder: the queued checkpoints, oldest first. A folder without its
     * {@code pending.json} is a hand-off cut short, whose chunk was not acknowledged and will come again: it is
     * deleted, so the redelivered chunk rebuilds it.
     */
    static List<Pending> recover(Path queueDir) {
        if (!Files.isDirectory(queueDir)) {
            return List.of();
        }
        List<Path> dirs;
        try (Stream<Path> listed = Files.list(queueDir)) {
            dirs = listed.toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + queueDir, e);
        }
        List<Pending> waiting = new ArrayList<>();
        for (Path dir : dirs) {
            Path info = dir.resolve(INFO);
            if (!Files.isRegularFile(info)) {
                Workspace.deleteTree(dir);
                continue;
            }
            try {
                waiting.add(Json.read(Files.readString(info), Pending.class));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + info, e);
            }
        }
        waiting.sort(Comparator.comparing(Pending::queuedAt));
        return waiting;
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        stopping = true;
        worker.shutdownNow(); // an evaluation cut short stays queued on disk for the next start
        worker.awaitTermination(10, TimeUnit.SECONDS);
    }

    private void enqueue(Pending pending) {
        if (queued.add(pending.checkpointId())) {
            worker.execute(() -> {
                try {
                    process(pending);
                } finally {
                    queued.remove(pending.checkpointId());
                }
            });
        }
    }

    /** Evaluates until done: published and recorded, or dead-lettered; a passing failure is retried. */
    private void process(Pending pending) {
        try {
            Retries.untilDone(() -> attempt(pending), () -> stopping, pause -> Thread.sleep(pause.toMillis()), e -> {
                meters.checkpoint("retried");
                LOG.warnf("evaluation of checkpoint %s failed for a reason that passes (%s: %s); trying again",
                        pending.checkpointId(), e.getClass().getSimpleName(), e.getMessage());
            });
        } catch (RuntimeException e) {
            LOG.errorf(e, "checkpoint %s failed after it was scored; it stays queued for the next start",
                    pending.checkpointId());
        }
    }

    private void attempt(Pending pending) {
        String id = pending.checkpointId();
        if (store.contains(id)) {
            // Recorded before a stop (or a failure that passes) that came before the queue entry was removed.
            store.get(id).ifPresent(promotions::consider);
            Workspace.deleteTree(workspace.pendingOf(id));
            return;
        }
        long started = System.nanoTime();
        EvaluatedCheckpoint evaluation;
        try {
            evaluation = scorer.score(id, workspace.pendingOf(id).resolve(ARCHIVE));
        } catch (Rejection e) {
            fail(pending, e.reason(), e.dataset(), e.getMessage());
            return;
        } catch (RuntimeException e) {
            if (TransientFailures.isTransient(e)) {
                throw e;
            }
            LOG.errorf(e, "evaluation of checkpoint %s failed", id);
            fail(pending, "evaluation-failed", null, e.getClass().getSimpleName() + ": " + e.getMessage());
            return;
        }
        output.send(evaluation.result()).await().atMost(SEND_TIMEOUT);
        // Recorded only after Kafka has the result: a stop in between evaluates again rather than loses it.
        store.save(evaluation);
        meters.evaluated(evaluation, Duration.ofNanos(System.nanoTime() - started));
        promotions.consider(evaluation); // before pruning: the challenger's model is still on the shelf
        shelf.prune();
        Workspace.deleteTree(workspace.pendingOf(id)); // the extracted model stays on the shelf
        // After promotion and pruning, so that it sees what is deployed and kept now; on this worker, so that no
        // evaluation or pruning runs meanwhile.
        retention.review(this::contains);
    }

    /** The whole checkpoint is dropped, so a publisher that sends it again gets a fresh assembly. */
    private void fail(Pending pending, String reason, String dataset, String detail) {
        String message = "checkpoint " + pending.checkpointId() + " of job " + pending.jobId() + ": " + detail;
        LOG.warnf("dead letter %s from %s: %s", reason, pending.origin(), message);
        // Sent before the checkpoint is forgotten: if the broker is away, the attempt is retried.
        output.deadLetter(DeadLetter.of(CheckpointIntake.SERVICE, pending.origin(), dataset, reason, message,
                Json.write(pending))).await().atMost(SEND_TIMEOUT);
        meters.checkpoint("failed");
        workspace.clean(pending.checkpointId());
    }
}
