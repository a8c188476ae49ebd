package io.finetune.contracts;

import java.time.Instant;

/** What a training job is doing, on {@link Topics#PROGRESS} (key = job id). Fields not relevant to a stage are null. */
public record TrainingProgress(int v, String jobId, Stage stage, Long step, Long totalSteps, Integer epoch,
                               Integer epochs, Double loss, Double learningRate, Double tokensPerSecond,
                               Double etaSeconds, Double validationLoss, Double validationAccuracy,
                               String checkpointId, String message, Instant at) {
    public static final int VERSION = 1;

    public enum Stage { QUEUED, STARTED, STEP, EPOCH, CHECKPOINT, COMPLETED, FAILED, CANCELLED }

    public static TrainingProgress of(String jobId, Stage stage, String message) {
        return new TrainingProgress(VERSION, jobId, stage, null, null, null, null, null, null, null, null, null, null,
                null, message, Instant.now());
    }
}
