package io.finetune.trainer.domain;

import io.finetune.contracts.TrainingJob;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/** The jobs this trainer replica knows, their state, and which were asked to stop. */
@ApplicationScoped
public class JobRegistry {
    private final Map<String, JobStatus> jobs = new ConcurrentHashMap<>();
    private final Set<String> cancelRequested = ConcurrentHashMap.newKeySet();

    /** @return false when the job is known already (a redelivered job event) */
    public boolean register(TrainingJob job, String baseModel) {
        JobStatus queued = new JobStatus(job.jobId(), job.dataset(), baseModel, job.hyperparameters(),
                JobStatus.State.QUEUED, null, null, null, null, null, null, null, List.of(), null,
                job.submittedAt(), null, null);
        return jobs.putIfAbsent(job.jobId(), queued) == null;
    }

    public Optional<JobStatus> get(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    public List<JobStatus> all() {
        List<JobStatus> list = new ArrayList<>(jobs.values());
        list.sort(Comparator.comparing(JobStatus::submittedAt, Comparator.nullsLast(Comparator.reverseOrder())));
        return list;
    }

    public void update(String jobId, UnaryOperator<JobStatus> change) {
        jobs.computeIfPresent(jobId, (id, status) -> change.apply(status));
    }

    public void requestCancel(String jobId) {
        cancelRequested.add(jobId);
    }

    public boolean isCancelRequested(String jobId) {
        return cancelRequested.contains(jobId);
    }

    public static JobStatus withState(JobStatus s, JobStatus.State state, String message) {
        Instant now = Instant.now();
        return new JobStatus(s.jobId(), s.dataset(), s.baseModel(), s.hyperparameters(), state, s.step(),
                s.totalSteps(), s.epoch(), s.loss(), s.tokensPerSecond(), s.etaSeconds(), s.device(), s.checkpoints(),
                message, s.submittedAt(), state == JobStatus.State.RUNNING ? now : s.startedAt(),
                state == JobStatus.State.RUNNING ? null : now);
    }
}
