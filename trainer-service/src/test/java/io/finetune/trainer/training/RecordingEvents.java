package io.finetune.trainer.training;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.distilbert.StepProgress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records what a {@link TrainingRun} reports, and can stop the run like a killed process does: by throwing out of
 * the step callback, after the optimizer update and before anything else is written.
 */
public final class RecordingEvents implements RunEvents {
    /** What the simulated crash throws. */
    public static final class Crash extends RuntimeException {
        Crash(long step) {
            super("simulated crash after step " + step);
        }
    }

    public final Map<Long, Double> losses = new LinkedHashMap<>();
    public final Map<String, Path> checkpoints = new LinkedHashMap<>();
    public final List<CheckpointInfo> infos = new ArrayList<>();
    public long resumedAt = -1;
    private final long crashAfter;

    public RecordingEvents(long crashAfter) {
        this.crashAfter = crashAfter;
    }

    public static RecordingEvents uninterrupted() {
        return new RecordingEvents(Long.MAX_VALUE);
    }

    @Override
    public void started(String device, int threads, long examples, io.finetune.contracts.Hyperparameters settings) {
        this.settings = settings;
    }

    /** What the run said it trains with. */
    public io.finetune.contracts.Hyperparameters settings;

    @Override
    public void resumed(long step, int epoch) {
        resumedAt = step;
    }

    @Override
    public void step(StepProgress progress) {
        losses.put(progress.step(), progress.loss());
        if (progress.step() == crashAfter) {
            throw new Crash(progress.step());
        }
    }

    @Override
    public void epochEnded(CheckpointInfo.EpochMetrics metrics) {
    }

    @Override
    public void checkpoint(CheckpointInfo info, Path dir) {
        infos.add(info);
        checkpoints.put(info.checkpointId(), dir);
    }

    @Override
    public boolean cancelled() {
        return false;
    }
}
