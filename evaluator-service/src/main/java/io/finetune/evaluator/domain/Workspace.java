package io.finetune.evaluator.domain;

import io.finetune.contracts.Directories;
import io.finetune.contracts.SafeNames;
import io.finetune.evaluator.config.EvaluatorConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;

/**
 * The layout of the evaluator's data directory. Chunks are scratch space, removed once their checkpoint is complete;
 * {@code pending/} holds complete checkpoints until they are evaluated;
 * {@code evaluations/} is kept, because it is what makes evaluation happen once; {@code models/} keeps the extracted
 * models of evaluated checkpoints that {@link ModelShelf} retains for predictions and downloads.
 */
@ApplicationScoped
public class Workspace {
    private final Path root;

    public Workspace(EvaluatorConfig config) {
        this.root = config.dataDir().toAbsolutePath();
    }

    /** Where {@link io.finetune.contracts.CheckpointAssembler} keeps parts, one folder per checkpoint. */
    public Path chunks() {
        return root.resolve("chunks");
    }

    public Path chunksOf(String checkpointId) {
        return chunks().resolve(SafeNames.check(checkpointId, "checkpoint id"));
    }

    /**
     * Complete, verified checkpoints waiting for their evaluation, one folder each: kept across restarts, so that a
     * checkpoint whose chunks were acknowledged is evaluated even if the service stops first.
     */
    public Path pending() {
        return root.resolve("pending");
    }

    public Path pendingOf(String checkpointId) {
        return pending().resolve(SafeNames.check(checkpointId, "checkpoint id"));
    }

    public Path modelOf(String checkpointId) {
        return models().resolve(SafeNames.check(checkpointId, "checkpoint id"));
    }

    public Path evaluations() {
        return root.resolve("evaluations");
    }

    public Path models() {
        return root.resolve("models");
    }

    /** Deployments and the models they serve, kept apart from {@link #models()} so pruning there spares them. */
    public Path serving() {
        return root.resolve("serving");
    }

    /** What became of each checkpoint's chunks on the checkpoints topic: held or released (CheckpointRetention). */
    public Path retention() {
        return root.resolve("retention");
    }

    /** Removes a checkpoint's parts and archive; its extracted model stays for predictions and downloads. */
    public void cleanChunks(String checkpointId) {
        if (SafeNames.isSafe(checkpointId)) {
            deleteTree(chunksOf(checkpointId));
        }
    }

    /** Removes a checkpoint's parts, archive (pending or not) and extracted model. */
    public void clean(String checkpointId) {
        if (SafeNames.isSafe(checkpointId)) {
            deleteTree(chunksOf(checkpointId));
            deleteTree(pendingOf(checkpointId));
            deleteTree(modelOf(checkpointId));
        }
    }

    public static void deleteTree(Path dir) {
        Directories.delete(dir);
    }
}
