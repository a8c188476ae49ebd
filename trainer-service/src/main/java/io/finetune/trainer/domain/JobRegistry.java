package io.finetune.trainer.domain;

import io.finetune.contracts.TrainingJob;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The jobs this trainer replica knows, their state, and which were asked to stop. Backed by {@link JobStore}: the
 * jobs of earlier runs and their cancel requests are known from the start (so a redelivered job event is not run
 * twice, and a job cancelled just before a crash stays cancelled), and every change of state, checkpoints or pinned
 * build is written through. Step-by-step progress stays in memory: it is on the progress topic. A waiting job is
 * shown with its place in {@link JobQueue}.
 */
@ApplicationScoped
public class JobRegistry {
    private final Map<String, JobStatus> jobs = new ConcurrentHashMap<>();
    private final Set<String> cancelRequested = ConcurrentHashMap.newKeySet();
    private final JobStore store;
    private final JobQueue queue;

    public JobRegistry(JobStore store, JobQueue queue) {
        this.store = store;
        this.queue = queue;
        store.loadAll().forEach(p -> {
            String jobId = p.status().jobId();
            jobs.put(jobId, p.status());
            if (!p.status().finished() && store.cancelRequested(jobId)) {
                cancelRequested.add(jobId); // asked before a restart: the job stops instead of resuming
            }
        });
    }

    /** Records and persists a new job; returns once it is on disk. @return false when the job is known already */
    public boolean register(TrainingJob job, String baseModel) {
        JobStatus queued = JobStatus.queued(job, baseModel, "queued");
        if (jobs.putIfAbsent(job.jobId(), queued) != null) {
            return false;
        }
        store.save(job);
        store.save(queued);
        return true;
    }

    public Optional<JobStatus> get(String jobId) {
        return Optional.ofNullable(jobs.get(jobId)).map(this::shown);
    }

    public List<JobStatus> all() {
        List<JobStatus> list = new ArrayList<>(jobs.values().stream().map(this::shown).toList());
        list.sort(Comparator.comparing(JobStatus::submittedAt, Comparator.nullsLast(Comparator.reverseOrder())));
        return list;
    }

    public void update(String jobId, UnaryOperator<JobStatus> change) {
        // Saved inside the map's atomic update: two threads changing one job (the worker finishing it, a DELETE
        // cancelling it) write its status file one after the other, in the order of their changes.
        jobs.computeIfPresent(jobId, (id, status) -> {
            JobStatus changed = change.apply(status);
            if (changed != null && (status.state() != changed.state()
                    || !Objects.equals(status.build(), changed.build())
                    || !Objects.equals(status.checkpoints(), changed.checkpoints())
                    || !Objects.equals(status.attempts(), changed.attempts())
                    || !Objects.equals(status.crashes(), changed.crashes())
                    || !Objects.equals(status.message(), changed.message()))) {
                store.save(changed);
            }
            return changed;
        });
    }

    private JobStatus shown(JobStatus status) {
        return status.state() == JobStatus.State.QUEUED
                ? queue.place(status.jobId()).map(status::withQueue).orElse(status) : status;
    }

    /** Persists the request before it counts, so a crash after the caller was answered cannot lose it. */
    public void requestCancel(String jobId) {
        store.saveCancelRequest(jobId);
        cancelRequested.add(jobId);
    }

    public boolean isCancelRequested(String jobId) {
        return cancelRequested.contains(jobId);
    }
}
