package io.finetune.trainer.domain;

import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.ShardReader;
import io.finetune.contracts.TrainingJob;
import io.finetune.contracts.TrainingProgress;
import io.finetune.distilbert.ModelResolver;
import io.finetune.distilbert.TrainingResult;
import io.finetune.trainer.config.TrainerConfig;
import io.finetune.trainer.messaging.TrainerOutput;
import io.finetune.trainer.training.JobPlan;
import io.finetune.trainer.training.JobPlanner;
import io.finetune.trainer.training.BaseModels;
import io.finetune.trainer.training.TrainingRun;
import io.finetune.trainer.training.UnrunnableJobException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs queued jobs one at a time on a thread of its own (more replicas run more jobs). A job's outcome is always
 * reported: progress events while it runs, then COMPLETED, CANCELLED or FAILED with the reason.
 *
 * <p>Jobs wait in a {@link JobQueue}, which shows each its place and lets a cancel take it out of line at once.
 *
 * <p>Jobs survive restarts: at startup, jobs persisted as QUEUED or RUNNING are queued again and a RUNNING one
 * continues from its newest saved training state; one whose cancel was asked for before the restart ends CANCELLED
 * there and then. A shutdown stops the running job at the next step, saves its state and leaves it RUNNING on disk,
 * so the next start continues it instead of reporting it cancelled.
 */
@ApplicationScoped
public class JobWorker {
    private static final Logger LOG = Logger.getLogger(JobWorker.class);
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "trainer-worker");
        thread.setDaemon(true);
        return thread;
    });
    private final JobRegistry registry;
    private final JobQueue queue;
    private final JobStore store;
    private final TrainerOutput output;
    private final TrainingMetrics metrics;
    private final TrainerConfig config;
    private final ShardReader shards;
    private final JobPlanner planner;
    private final TrainingDevice device;
    private volatile boolean shuttingDown;

    public JobWorker(JobRegistry registry, JobQueue queue, JobStore store, TrainerOutput output,
                     TrainingMetrics metrics, TrainingDevice device, TrainerConfig config,
                     @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.registry = registry;
        this.queue = queue;
        this.store = store;
        this.output = output;
        this.metrics = metrics;
        this.device = device;
        this.config = config;
        this.shards = new ShardReader(kafkaConfig);
        this.planner = new JobPlanner(new BaseModels(new ModelResolver(config.dataDir().resolve("models"))),
                config.defaultBaseModel());
    }

    /** How this worker plans jobs, for the REST check to plan them the same way. */
    public JobPlanner planner() {
        return planner;
    }

    public String baseModelOf(TrainingJob job) {
        return planner.baseModelOf(job);
    }

    /** Persists and queues a job; returns once it is on disk, so its Kafka record may then be acknowledged. */
    public void enqueue(TrainingJob job) {
        if (!registry.register(job, baseModelOf(job))) {
            return; // redelivered event of a job this replica has already taken
        }
        queue.add(job);
        String place = queue.place(job.jobId()).map(JobStatus.QueuePlace::describe).orElse("taken by the worker");
        output.progress(TrainingProgress.of(job.jobId(), TrainingProgress.Stage.QUEUED, "queued: " + place));
        executor.submit(this::runNext);
    }

    /**
     * Cancels a job. A waiting job leaves the queue and ends CANCELLED now; a running one stops at its next step. The
     * request is persisted first, so that a crash in between cannot bring the job back.
     *
     * @return the job's status once the request is recorded
     */
    public JobStatus cancel(String jobId) {
        registry.requestCancel(jobId);
        if (queue.remove(jobId)) {
            cancelWaiting(jobId);
        } else {
            registry.update(jobId, s -> s.finished() ? s : s.withMessage("cancel requested: the job stops at its"
                    + " next step"));
        }
        return registry.get(jobId).orElseThrow();
    }

    /**
     * A job whose event could be read except for what makes it runnable (its settings): it is recorded FAILED with
     * the reason, so its submitter sees why in the job's status and on the progress topic.
     */
    public void refuse(TrainingJob job, String reason) {
        if (registry.register(job, baseModelOf(job))) {
            finish(job.jobId(), JobStatus.State.FAILED, reason);
        }
    }

    void onStart(@Observes StartupEvent event) {
        store.loadAll().stream().filter(p -> !p.status().finished())
                .sorted(Comparator.comparing(p -> p.job().submittedAt(),
                        Comparator.nullsLast(Comparator.naturalOrder())))
                .forEach(p -> recover(p.job()));
    }

    private void recover(TrainingJob job) {
        if (registry.isCancelRequested(job.jobId())) {
            finish(job.jobId(), JobStatus.State.CANCELLED, "cancelled: the request came before the trainer restarted");
            return;
        }
        String message = "recovered after a restart";
        registry.update(job.jobId(), s -> s.withState(JobStatus.State.QUEUED, message));
        output.progress(TrainingProgress.of(job.jobId(), TrainingProgress.Stage.QUEUED, message));
        LOG.infof("job %s %s", job.jobId(), message);
        queue.add(job);
        executor.submit(this::runNext);
    }

    /**
     * Stops the running job at its next step (it saves a resumable state there) and waits for that, within the
     * grace period; without waiting, the state's files would be cut off by the interrupt of a forced stop.
     */
    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        shuttingDown = true;
        executor.shutdown();
        if (!executor.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
            executor.shutdownNow();
        }
    }

    /** One task per queued job; a job cancelled while waiting has left the queue, so its task takes the next one. */
    private void runNext() {
        queue.next().ifPresent(job -> {
            try {
                run(job);
            } finally {
                queue.done(job.jobId());
            }
        });
    }

    private void run(TrainingJob job) {
        String jobId = job.jobId();
        if (registry.isCancelRequested(jobId)) { // asked for while the worker was taking it out of the queue
            cancelWaiting(jobId);
            return;
        }
        if (shuttingDown) {
            return; // stays QUEUED or RUNNING on disk: the next start runs it
        }
        registry.update(jobId, s -> s.withState(JobStatus.State.RUNNING, "loading data and model"));
        metrics.started();
        try {
            DatasetShards data = shards.read(job.dataset()).orElseThrow(() -> new IllegalArgumentException(
                    "unknown dataset '" + job.dataset() + "': no prepared shards on the shards topic"));
            Path workDir = store.jobDir(jobId);
            JobPlan plan = planner.plan(job, data, workDir, device.device());
            TrainingResult result = new TrainingRun(plan, workDir)
                    .run(new JobEvents(jobId, registry, output, metrics, config, () -> shuttingDown));
            if (result.cancelled() && !registry.isCancelRequested(jobId)) {
                metrics.interrupted();
                LOG.infof("job %s interrupted by shutdown after %d steps; it continues at the next start",
                        jobId, result.steps());
            } else if (result.cancelled()) {
                finish(jobId, JobStatus.State.CANCELLED, "cancelled after " + result.steps() + " steps");
            } else {
                finish(jobId, JobStatus.State.COMPLETED, String.format("finished %d steps in %.1f s%s%s",
                        result.steps(), result.seconds(), result.stoppedEarly() ? " (stopped early)" : "",
                        result.resumedFromStep() > 0 ? " (resumed at step " + result.resumedFromStep() + ")" : ""));
                TrainingRun.deleteStates(workDir); // the final checkpoint is published: nothing left to resume
            }
        } catch (UnrunnableJobException e) {
            finish(jobId, JobStatus.State.FAILED, e.getMessage()); // the submitter's to fix: no stack trace needed
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "job %s failed", jobId);
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            finish(jobId, JobStatus.State.FAILED, reason);
        }
    }

    /** A job recovered after a restart may have trained before: it waited to resume, not to start. */
    private void cancelWaiting(String jobId) {
        boolean ranBefore = registry.get(jobId).map(JobStatus::startedAt).isPresent();
        finish(jobId, JobStatus.State.CANCELLED, ranBefore ? "cancelled while it waited to resume"
                : "cancelled before it started");
    }

    private void finish(String jobId, JobStatus.State state, String message) {
        registry.update(jobId, s -> s.withState(state, message));
        metrics.finished(state);
        TrainingProgress.Stage stage = TrainingProgress.Stage.valueOf(state.name());
        output.progress(TrainingProgress.of(jobId, stage, message));
        LOG.infof("job %s %s: %s", jobId, state, message);
    }
}
