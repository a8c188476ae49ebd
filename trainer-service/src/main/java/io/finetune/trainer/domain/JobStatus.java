package io.finetune.trainer.domain;

import io.finetune.contracts.Hyperparameters;

import java.time.Instant;
import java.util.List;

/** A training job as the REST API shows it. */
public record JobStatus(String jobId, String dataset, String baseModel, Hyperparameters hyperparameters, State state,
                        Long step, Long totalSteps, Integer epoch, Double loss, Double tokensPerSecond,
                        Double etaSeconds, String device, List<String> checkpoints, String message,
                        Instant submittedAt, Instant startedAt, Instant finishedAt) {
    public enum State { QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED }

    public boolean finished() {
        return state == State.COMPLETED || state == State.FAILED || state == State.CANCELLED;
    }
}
