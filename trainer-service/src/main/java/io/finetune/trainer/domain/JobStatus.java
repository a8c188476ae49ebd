package io.finetune.trainer.domain;

import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.TrainingJob;

import java.time.Instant;
import java.util.List;

/** A training job as the REST API shows it. */
public record JobStatus(String jobId, String dataset, String baseModel, Hyperparameters hyperparameters, State state,
                        Long step, Long totalSteps, Integer epoch, Double loss, Double tokensPerSecond,
                        Double etaSeconds, String device, List<String> checkpoints, String message,
                        Instant submittedAt, Instant startedAt, Instant finishedAt) {
    public enum State { QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED }

    /** A job that has been accepted and waits for the worker. */
    public static JobStatus queued(TrainingJob job, String baseModel, String message) {
        return new JobStatus(job.jobId(), job.dataset(), baseModel, job.hyperparameters(), State.QUEUED, null, null,
                null, null, null, null, null, List.of(), message, job.submittedAt(), null, null);
    }

    public boolean finished() {
        return state == State.COMPLETED || state == State.FAILED || state == State.CANCELLED;
    }
}
