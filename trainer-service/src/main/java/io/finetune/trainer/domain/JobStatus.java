package io.finetune.trainer.domain;

import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.TrainingJob;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A training job as the REST API shows it.
 *
 * @param build           the build of the dataset the job trains on: the one it was submitted with, else the newest
 *                        when it first started, recorded then (status.json), so that a resumed job reads the same
 *                        build however many came after it; null while a job submitted without one waits for its
 *                        first start (and in a status written before builds were pinned)
 * @param hyperparameters the job's settings: as submitted while it waits, and once training has started the ones it
 *                        trains with, every default filled in (what {@code checkpoint.json} records as
 *                        {@code effectiveHyperparameters})
 * @param attempts        how many times training of this job has started, counted on disk before each start
 *                        (0 while it never ran; null in a status written before attempts were counted)
 * @param crashes         when each attempt that crashed the trainer had started: an attempt still RUNNING on disk
 *                        when the trainer starts again died with the process (out of memory, a native crash, a
 *                        SIGKILL); a shutdown that saves the job's state is not a crash. After
 *                        {@code trainer.max-attempts} of them the job is FAILED instead of run again.
 * @param queue           while QUEUED on this replica: its place in line and the job it waits for; never persisted,
 *                        since it changes whenever another job starts, ends or is cancelled
 */
public record JobStatus(String jobId, String dataset, String build, String baseModel, Hyperparameters hyperparameters,
                        State state, Long step, Long totalSteps, Integer epoch, Double loss, Double tokensPerSecond,
                        Double etaSeconds, String device, List<String> checkpoints, String message,
                        Instant submittedAt, Instant startedAt, Instant finishedAt, Integer attempts,
                        List<Instant> crashes, QueuePlace queue) {
    public enum State { QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED }

    public JobStatus {
        attempts = attempts == null ? 0 : attempts;
        crashes = crashes == null ? List.of() : List.copyOf(crashes);
    }

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
        return new JobStatus(job.jobId(), job.dataset(), job.build(), baseModel, job.hyperparameters(), State.QUEUED,
                null, null, null, null, null, null, null, List.of(), message, job.submittedAt(), null, null, 0,
                List.of(), null);
    }

    /** Pinned to this build of its dataset: every attempt from now on reads it. */
    public JobStatus withBuild(String pinned) {
        return new JobStatus(jobId, dataset, pinned, baseModel, hyperparameters, state, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, device, checkpoints, message, submittedAt, startedAt, finishedAt, attempts,
                crashes, queue);
    }

    /** As shown while it waits at {@code place}. */
    public JobStatus withQueue(QueuePlace place) {
        return new JobStatus(jobId, dataset, build, baseModel, hyperparameters, state, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, device, checkpoints, message, submittedAt, startedAt, finishedAt, attempts,
                crashes, place);
    }

    public JobStatus withMessage(String newMessage) {
        return new JobStatus(jobId, dataset, build, baseModel, hyperparameters, state, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, device, checkpoints, newMessage, submittedAt, startedAt, finishedAt,
                attempts, crashes, queue);
    }

    /**
     * The job moved to another state: RUNNING stamps the start, a finished state the end, and QUEUED or RUNNING
     * clears an earlier end (a job re-queued after a restart).
     */
    public JobStatus withState(State newState, String newMessage) {
        Instant now = Instant.now();
        boolean active = newState == State.RUNNING || newState == State.QUEUED;
        return new JobStatus(jobId, dataset, build, baseModel, hyperparameters, newState, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, device, checkpoints, newMessage, submittedAt,
                newState == State.RUNNING ? now : startedAt, active ? null : now, attempts, crashes, queue);
    }

    /** Training started with these settings, every default filled in. */
    public JobStatus withHyperparameters(Hyperparameters effective) {
        return new JobStatus(jobId, dataset, build, baseModel, effective, state, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, device, checkpoints, message, submittedAt, startedAt, finishedAt, attempts,
                crashes, queue);
    }

    public JobStatus withDevice(String newDevice, String newMessage) {
        return new JobStatus(jobId, dataset, build, baseModel, hyperparameters, state, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, newDevice, checkpoints, newMessage, submittedAt, startedAt, finishedAt,
                attempts, crashes, queue);
    }

    /** Where training stands after a step. */
    public JobStatus withProgress(long newStep, long newTotalSteps, int newEpoch, double newLoss,
                                  double newTokensPerSecond, double newEtaSeconds) {
        return new JobStatus(jobId, dataset, build, baseModel, hyperparameters, state, newStep, newTotalSteps, newEpoch,
                newLoss, newTokensPerSecond, newEtaSeconds, device, checkpoints, message, submittedAt, startedAt,
                finishedAt, attempts, crashes, queue);
    }

    /** Resumed from a saved state: the position is known, the rest of the progress is as last reported. */
    public JobStatus withResumedAt(long newStep, int newEpoch, String newMessage) {
        return new JobStatus(jobId, dataset, build, baseModel, hyperparameters, state, newStep, totalSteps, newEpoch,
                loss, tokensPerSecond, etaSeconds, device, checkpoints, newMessage, submittedAt, startedAt, finishedAt,
                attempts, crashes, queue);
    }

    /** One more published checkpoint; a checkpoint republished after a resume is listed once. */
    public JobStatus withCheckpoint(String checkpointId) {
        if (checkpoints.contains(checkpointId)) {
            return this;
        }
        List<String> more = new ArrayList<>(checkpoints);
        more.add(checkpointId);
        return new JobStatus(jobId, dataset, build, baseModel, hyperparameters, state, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, device, List.copyOf(more), message, submittedAt, startedAt, finishedAt,
                attempts, crashes, queue);
    }

    /** Another attempt starts now: RUNNING, counted before any training. */
    public JobStatus withAttemptStarted(String newMessage) {
        return new JobStatus(jobId, dataset, build, baseModel, hyperparameters, state, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, device, checkpoints, message, submittedAt, startedAt, finishedAt,
                attempts + 1, crashes, queue).withState(State.RUNNING, newMessage);
    }

    /** The attempt that started at {@link #startedAt} died with the trainer: one more crash on record. */
    public JobStatus withCrash() {
        List<Instant> more = new ArrayList<>(crashes);
        more.add(startedAt);
        return new JobStatus(jobId, dataset, build, baseModel, hyperparameters, state, step, totalSteps, epoch, loss,
                tokensPerSecond, etaSeconds, device, checkpoints, message, submittedAt, startedAt, finishedAt,
                attempts, more, queue);
    }

    public boolean finished() {
        return state == State.COMPLETED || state == State.FAILED || state == State.CANCELLED;
    }
}
