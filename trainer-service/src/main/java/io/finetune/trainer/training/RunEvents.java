package io.finetune.trainer.training;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.Hyperparameters;
import io.finetune.distilbert.StepProgress;

import java.nio.file.Path;

/** What a {@link TrainingRun} reports while it works; the service turns these into Kafka events and metrics. */
public interface RunEvents {
    /**
     * @param threads  PyTorch's intra-op threads in this process, what a step on the CPU runs on (set by
     *                 {@code ai.djl.pytorch.num_threads}, docs/training.md)
     * @param settings what training runs with, every default filled in
     */
    void started(String device, int threads, long examples, Hyperparameters settings);

    /** Training continues from a state saved by an earlier, interrupted attempt of the same job. */
    void resumed(long step, int epoch);

    void step(StepProgress progress);

    /** After each evaluation (every epoch, or every {@code evalSteps} steps). */
    void epochEnded(CheckpointInfo.EpochMetrics metrics);

    /** Called with a written checkpoint directory; returns once it is safely published. */
    void checkpoint(CheckpointInfo info, Path dir);

    boolean cancelled();
}
