package io.finetune.trainer.training;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.distilbert.StepProgress;

import java.nio.file.Path;

/** What a {@link TrainingRun} reports while it works; the service turns these into Kafka events and metrics. */
public interface RunEvents {
    void started(String device, long examples, int epochs);

    void step(StepProgress progress);

    void epochEnded(CheckpointInfo.EpochMetrics metrics);

    /** Called with a written checkpoint directory; returns once it is safely published. */
    void checkpoint(CheckpointInfo info, Path dir);

    boolean cancelled();
}
