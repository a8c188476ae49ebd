package io.finetune.evaluator.retention;

import io.finetune.contracts.CheckpointChunk;
import io.finetune.evaluator.domain.EvaluationMeters;
import io.finetune.evaluator.domain.EvaluationStore;
import io.finetune.evaluator.domain.ModelShelf;
import io.finetune.evaluator.domain.Workspace;
import io.finetune.evaluator.serving.Deployments;
import io.finetune.evaluator.serving.ServingModels;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Frees the space of checkpoints nothing needs any more on the compacted checkpoints topic, and keeps what is needed
 * ({@link CheckpointNeeds} decides which). The evaluator holds every checkpoint it evaluated in its ledger
 * ({@link RetentionLedger}) from the moment it is queued; after each evaluation (and at start-up) it reviews them all,
 * on the evaluation worker, after promotion and the model shelf's pruning, and writes tombstones for the chunk keys of
 * those not needed ({@link CheckpointTombstones}). Compaction then removes their chunks.
 *
 * <p>{@code evaluator.checkpoints.compact-unneeded=false} keeps everything on the topic (the ledger is kept all the
 * same, so switching it on later releases what is not needed then).
 */
@ApplicationScoped
public class CheckpointRetention {
    private static final Logger LOG = Logger.getLogger(CheckpointRetention.class);

    private final boolean enabled;
    private final RetentionLedger ledger;
    private final EvaluationStore store;
    private final Deployments deployments;
    private final ModelShelf shelf;
    private final ServingModels serving;
    private final CheckpointTombstones tombstones;
    private final EvaluationMeters meters;

    public CheckpointRetention(RetentionConfig config, Workspace workspace, EvaluationStore store,
                               Deployments deployments, ModelShelf shelf, ServingModels serving,
                               CheckpointTombstones tombstones, EvaluationMeters meters) {
        this.enabled = config.compactUnneeded();
        this.ledger = new RetentionLedger(workspace.retention());
        this.store = store;
        this.deployments = deployments;
        this.shelf = shelf;
        this.serving = serving;
        this.tombstones = tombstones;
        this.meters = meters;
    }

    /**
     * A complete checkpoint is about to be queued for evaluation: from now on it is held (its chunks stay on the
     * topic until a review finds nothing needs it). Call before its last chunk is acknowledged.
     */
    public synchronized void hold(CheckpointChunk lastChunk) {
        ledger.hold(new RetentionLedger.Held(lastChunk.checkpointId(), lastChunk.jobId(), lastChunk.count(),
                lastChunk.totalBytes(), Instant.now()));
    }

    /**
     * The last chunk of a checkpoint evaluated before arrived again (a trainer that resumed sends it again, under the
     * same keys): if it was released, its new chunks are held and released again at the next review.
     */
    public synchronized void sentAgain(CheckpointChunk lastChunk) {
        Optional<RetentionLedger.Released> released = ledger.released(lastChunk.checkpointId());
        if (released.isPresent()) {
            LOG.infof("checkpoint %s, released on %s, was sent again: its chunks are held until the next review",
                    lastChunk.checkpointId(), released.get().releasedAt());
            hold(lastChunk);
        }
    }

    /**
     * Reviews every held checkpoint and releases those nothing needs. Never throws: a release Kafka did not
     * acknowledge stays held and is tried again at the next review.
     *
     * @param queued whether a checkpoint waits for its evaluation ({@code EvaluationQueue#contains})
     */
    public synchronized void review(Predicate<String> queued) {
        try {
            adoptEarlierEvaluations();
            if (enabled) {
                releaseUnneeded(queued);
            }
        } catch (RuntimeException e) {
            // The ledger unreadable, say: the evaluation that called this is recorded already and must stand.
            LOG.errorf(e, "the review of held checkpoints failed; it runs again after the next evaluation");
        }
    }

    private void releaseUnneeded(Predicate<String> queued) {
        CheckpointNeeds needs = new CheckpointNeeds(store.all(), deployments.all(), queued,
                id -> shelf.model(id).isPresent() || serving.pinned(id).isPresent());
        for (RetentionLedger.Held held : ledger.held()) {
            if (needs.whyNeeded(held.checkpointId()).isPresent()) {
                continue;
            }
            String why = "not deployed, not the best of job " + held.jobId() + ", model no longer kept";
            try {
                tombstones.release(held.checkpointId(), held.chunks(), why);
            } catch (RuntimeException e) {
                LOG.warnf("could not release checkpoint %s from the topic (%s); trying again at the next review",
                        held.checkpointId(), e.getMessage());
                return;
            }
            ledger.release(held, Instant.now(), why);
            meters.released(held.bytes());
            LOG.infof("released checkpoint %s of job %s (%d chunks, %d bytes) from the checkpoints topic: %s",
                    held.checkpointId(), held.jobId(), held.chunks(), held.bytes(), why);
        }
    }

    /** Whether the checkpoint's chunks were released (tombstoned) and not sent again since. */
    public synchronized boolean released(String checkpointId) {
        return ledger.released(checkpointId).isPresent();
    }

    /**
     * Evaluations from before the ledger existed are held too, with their chunk count unknown: their chunks were all
     * keyed by the checkpoint id, which is the one key their release needs.
     */
    private void adoptEarlierEvaluations() {
        store.all().forEach(e -> {
            String id = e.result().checkpointId();
            if (!ledger.knows(id)) {
                ledger.hold(new RetentionLedger.Held(id, e.result().jobId(), 0, 0, e.result().evaluatedAt()));
            }
        });
    }
}
