package io.finetune.trainer.domain;

import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.TrainingJob;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A training job as the REST API shows it.
 *
 * @param hyperparameters the job's settings: as submitted while it waits, and once training has started the ones it
 *                        trains with, every default filled in (what {@code checkpoint.json} records as
 *                        {@code effectiveHyperparameters})
 * @param queue           while QUEUED on this replica: its place in line and the job it waits for; never persisted,
 *                        since it changes whenever another job starts, ends or is cancelled
 */
public record JobStatus(String jobId, String dataset, String baseModel, Hyperparameters hyperparameters, State state,
                        Long step, Long totalSteps, Integer epoch, Double loss, Double tokensPerSecond,
                        Double etaSeconds, String device, List<String> checkpoints, String message,
                        Instant submittedAt, Instant startedAt, Instant finishedAt, QueuePlace queue) {
    public enum State { QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED }

    /**
     * Where a waiting job stands in its replica's queue.
     *
     * @param position   1 for the job that starts next
     * @param waitingFor the job this replica is running now; null between two jobs
     */
    public record QueuePlace(int position, String waitingFor) {
        /** "position 2 in this trainer's queue, behind running job job-a and 1 queued before it". */
        public String describe() {
            String place = "position " + position + " in this trainer's queue";
            if (waitingFor == null) {
                return place + (position == 1 ? ", starts next" : "");
            }
            return place + ", behind running job " + waitingFor
                    + (position > 1 ? " and " + (position - 1) + " queued before it" : "");
        }
    }

    /** A job that has been accepted and waits for the worker. */
    public static JobStatus queued(TrainingJob job, String baseModel, String message) {
        return new JobStatus(job.jobId(), job.dataset(), baseModel, job.hyperparameters(), State.QUEUED, null, null,
                null, null, null, null, null, List.of(), message, job.submittedAt(), null, null, null);
    }

    /** As shown while it waits at {@code place}. */
    public JobStatus withQueue(QueuePlace place) {
        return new JobStatus(jobId, dataset, baseModel, hyperparameters, state, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, device, checkpoints, message, submittedAt, startedAt, finishedAt, place);
    }

    public JobStatus withMessage(String newMessage) {
        return new JobStatus(jobId, dataset, baseModel, hyperparameters, state, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, device, checkpoints, newMessage, submittedAt, startedAt, finishedAt,
                queue);
    }

    /**
     * The job moved to another state: RUNNING stamps the start, a finished state the end, and QUEUED or RUNNING
     * clears an earlier end (a job re-queued after a restart).
     */
    public JobStatus withState(State newState, String newMessage) {
        Instant now = Instant.now();
        boolean active = newState == State.RUNNING || newState == State.QUEUED;
        return new JobStatus(jobId, dataset, baseModel, hyperparameters, newState, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, device, checkpoints, newMessage, submittedAt,
                newState == State.RUNNING ? now : startedAt, active ? null : now, queue);
    }

    /** Training started with these settings, every default filled in. */
    public JobStatus withHyperparameters(Hyperparameters effective) {
        return new JobStatus(jobId, dataset, baseModel, effective, state, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, device, checkpoints, message, submittedAt, startedAt, finishedAt, queue);
    }

    public JobStatus withDevice(String newDevice, String newMessage) {
        return new JobStatus(jobId, dataset, baseModel, hyperparameters, state, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, newDevice, checkpoints, newMessage, submittedAt, startedAt, finishedAt,
                queue);
    }

    /** Where training stands after a step. */
    public JobStatus withProgress(long newStep, long newTotalSteps, int newEpoch, double newLoss,
                                  double newTokensPerSecond, double newEtaSeconds) {
        return new JobStatus(jobId, dataset, baseModel, hyperparameters, state, newStep, newTotalSteps, newEpoch,
                newLoss, newTokensPerSecond, newEtaSeconds, device, checkpoints, message, submittedAt, startedAt,
                finishedAt, queue);
    }

    /** Resumed from a saved state: the position is known, the rest of the progress is as last reported. */
    public JobStatus withResumedAt(long newStep, int newEpoch, String newMessage) {
        return new JobStatus(jobId, dataset, baseModel, hyperparameters, state, newStep, totalSteps, newEpoch, loss,
                tokensPerSecond, etaSeconds, device, checkpoints, newMessage, submittedAt, startedAt, finishedAt,
                queue);
    }

    /** One more published checkpoint; a checkpoint republished after a resume is listed once. */
    public JobStatus withCheckpoint(String checkpointId) {
        if (checkpoints.contains(checkpointId)) {
            return this;
        }
        List<String> more = new ArrayList<>(checkpoints);
        more.add(checkpointId);
        return new JobStatus(jobId, dataset, baseModel, hyperparameters, state, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, device, List.copyOf(more), message, submittedAt, startedAt, finishedAt,
                queue);
    }

    public boolean finished() {
        return state == State.COMPLETED || state == State.FAILED || state == State.CANCELLED;
    }
}
