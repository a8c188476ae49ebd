package io.finetune.trainer.domain;

import io.finetune.contracts.TrainingJob;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The jobs waiting for this replica's worker, in the order it runs them, and the one it runs now. A waiting job's
 * status shows its place from here, and a cancel takes a waiting job out of line at once instead of when its turn
 * comes.
 */
@ApplicationScoped
public class JobQueue {
    private final Deque<TrainingJob> waiting = new ArrayDeque<>();
    private String running;

    synchronized void add(TrainingJob job) {
        waiting.addLast(job);
    }

    /** The next job, which from now on counts as running; empty when none waits. */
    synchronized Optional<TrainingJob> next() {
        TrainingJob job = waiting.pollFirst();
        running = job == null ? null : job.jobId();
        return Optional.ofNullable(job);
    }

    /** The worker is done with the job it took: nothing runs until it takes the next. */
    synchronized void done(String jobId) {
        if (jobId.equals(running)) {
            running = null;
        }
    }

    /** Takes a waiting job out of line; false when it is not waiting (taken by the worker already, or unknown). */
    synchronized boolean remove(String jobId) {
        return waiting.removeIf(job -> job.jobId().equals(jobId));
    }

    /** Where a waiting job stands; empty when it is not waiting. */
    synchronized Optional<JobStatus.QueuePlace> place(String jobId) {
        int position = 1;
        for (TrainingJob job : waiting) {
            if (job.jobId().equals(jobId)) {
                return Optional.of(new JobStatus.QueuePlace(position, running));
            }
            position++;
        }
        return Optional.empty();
    }
}
