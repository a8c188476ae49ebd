package io.finetune.trainer.domain;

import io.finetune.contracts.CheckpointTopicReader;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.ShardReader;
import io.finetune.contracts.TrainingJob;
import io.finetune.contracts.TrainingProgress;
import io.finetune.distilbert.ModelResolver;
import io.finetune.distilbert.TrainingResult;
import io.finetune.trainer.config.TrainerConfig;
import io.finetune.trainer.messaging.JobTopicReader;
import io.finetune.trainer.messaging.TrainerOutput;
import io.finetune.trainer.training.BaseModels;
import io.finetune.trainer.training.CheckpointSource;
import io.finetune.trainer.training.DeviceMemory;
import io.finetune.trainer.training.JobPlan;
import io.finetune.trainer.training.JobPlanner;
import io.finetune.trainer.training.LocalCheckpoints;
import io.finetune.trainer.training.SettingsFrom;
import io.finetune.trainer.training.TrainingRun;
import io.finetune.trainer.training.UnrunnableJobException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Runs queued jobs one at a time on a thread of its own (more replicas run more jobs). A job's outcome is always
 * reported: progress events while it runs, then COMPLETED, CANCELLED or FAILED with the reason.
 *
 * <p>Jobs wait in a {@link JobQueue}, which shows each its place and lets a cancel take it out of line at once.
 *
 * <p>Jobs survive restarts: at startup, jobs persisted as QUEUED or RUNNING are queued again and continue from their
 * newest saved training state, on the dataset build they are pinned to ({@link TrainingData}); one whose cancel was
 * asked for before the restart ends CANCELLED there and then. A shutdown stops the running job at the next step, saves
 * its state and puts it back to QUEUED on disk, so the next start continues it instead of reporting it cancelled. A job
 * still RUNNING on disk at startup was running when the process died: that attempt crashed the trainer, and after
 * {@code trainer.max-attempts} such attempts the job ends FAILED instead of crashing it again (docs/training.md).
 *
 * <p>A job's final state follows the broker's acknowledgement of its COMPLETED, FAILED or CANCELLED event
 * ({@link #finish}).
 */
@ApplicationScoped
public class JobWorker {
    private static final Logger LOG = Logger.getLogger(JobWorker.class);
    /** How long a cancel of a waiting job waits for its CANCELLED event to be acknowledged before answering. */
    private static final Duration CANCEL_ANSWER_WAIT = Duration.ofSeconds(10);
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "trainer-worker");
        thread.setDaemon(true);
        return thread;
    });
    /**
     * Reports the ends of jobs that are not the worker's (a job refused on arrival, cancelled while waiting, found at
     * start-up to have crashed the trainer too often): the worker may be busy for hours, and an event waiting for the
     * broker's acknowledgement must not hold up the Kafka consumer or a REST call.
     */
    private final ExecutorService reporter = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "trainer-reporter");
        thread.setDaemon(true);
        return thread;
    });
    private final JobRegistry registry;
    private final JobQueue queue;
    private final JobStore store;
    private final TrainerOutput output;
    private final TrainingMetrics metrics;
    private final TrainerConfig config;
    private final TrainingData trainingData;
    private final JobPlanner planner;
    private final TrainingDevice device;
    private volatile boolean shuttingDown;

    public JobWorker(JobRegistry registry, JobQueue queue, JobStore store, TrainerOutput output,
                     TrainingMetrics metrics, TrainingDevice device, TrainerConfig config, ShardReader shards,
                     @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.registry = registry;
        this.queue = queue;
        this.store = store;
        this.output = output;
        this.metrics = metrics;
        this.device = device;
        this.config = config;
        this.trainingData = new TrainingData(TrainingData.Builds.of(shards), registry);
        JobTopicReader submittedJobs = new JobTopicReader(kafkaConfig);
        this.planner = new JobPlanner(new BaseModels(new ModelResolver(config.dataDir().resolve("models")),
                CheckpointSource.firstOf(new LocalCheckpoints(config.dataDir().resolve("jobs")),
                        new CheckpointTopicReader(kafkaConfig)::copyTo)),
                config.defaultBaseModel(), config.trainingMemory()
                .map(limit -> DeviceMemory.fixed(limit.asLongValue(), "trainer.training-memory"))
                .orElseGet(DeviceMemory::system),
                new SettingsFrom(jobId -> store.loadJob(jobId).or(() -> submittedJobs.find(jobId))));
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
     * Cancels a job. A waiting job leaves the queue at once and ends CANCELLED once its event is acknowledged (the
     * answer waits up to {@link #CANCEL_ANSWER_WAIT} for that); a running one stops at its next step. The request is
     * persisted first, so that a crash in between cannot bring the job back.
     *
     * @return the job's status once the request is recorded
     */
    public JobStatus cancel(String jobId) {
        registry.requestCancel(jobId);
        if (queue.remove(jobId)) {
            Future<?> reported = reporter.submit(() -> cancelWaiting(jobId));
            try { // with the broker up, the answer already says CANCELLED; else it says that it waits for the ack
                reported.get(CANCEL_ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                LOG.warnf("job %s: CANCELLED not reported yet: %s", jobId, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
            // FAILED on disk at once: the job was saved without its settings and must never run. Its event is sent
            // by the reporter, so that the Kafka consumer does not wait for the broker's acknowledgement; a crash
            // before that acknowledgement loses the event, not the job's state.
            registry.update(job.jobId(), s -> s.withState(JobStatus.State.FAILED, reason));
            metrics.finished(JobStatus.State.FAILED);
            reporter.submit(() -> report(job.jobId(), JobStatus.State.FAILED, reason));
        }
    }

    void onStart(@Observes StartupEvent event) {
        store.loadAll().stream().filter(p -> !p.status().finished())
                .sorted(Comparator.comparing(p -> p.job().submittedAt(),
                        Comparator.nullsLast(Comparator.naturalOrder())))
                .forEach(p -> recover(p.job(), p.status()));
    }

    /**
     * A job left unfinished by the last run. One persisted RUNNING was running when the process died (a shutdown
     * puts the job it stops back to QUEUED): that attempt crashed the trainer, and it is recorded before anything
     * else. A job that has crashed it {@code trainer.max-attempts} times ends FAILED instead of taking the trainer
     * down again and again with every job queued behind it.
     */
    private void recover(TrainingJob job, JobStatus persisted) {
        String jobId = job.jobId();
        if (registry.isCancelRequested(jobId)) {
            reporter.submit(() -> finish(jobId, JobStatus.State.CANCELLED,
                    "cancelled: the request came before the trainer restarted"));
            return;
        }
        boolean crashed = persisted.state() == JobStatus.State.RUNNING;
        JobStatus now = crashed ? persisted.withCrash() : persisted;
        if (now.crashes().size() >= config.maxAttempts()) {
            String reason = crashedTooOften(now.crashes());
            // Recorded at once, so that the job is not queued again should this start die too; FAILED follows
            // once the broker has acknowledged the event.
            registry.update(jobId, s -> (crashed ? s.withCrash() : s).withState(JobStatus.State.QUEUED,
                    "crashed the trainer " + now.crashes().size() + " times: reporting it FAILED"));
            LOG.errorf("job %s %s", jobId, reason);
            reporter.submit(() -> finish(jobId, JobStatus.State.FAILED, reason));
            return;
        }
        String message = "recovered after a restart" + (now.crashes().isEmpty() ? "" : ": " + now.crashes().size()
                + " of at most " + config.maxAttempts() + " attempts crashed the trainer, the last started at "
                + now.crashes().get(now.crashes().size() - 1));
        registry.update(jobId, s -> (crashed ? s.withCrash() : s).withState(JobStatus.State.QUEUED, message));
        output.progress(TrainingProgress.of(jobId, TrainingProgress.Stage.QUEUED, message));
        LOG.infof("job %s %s", jobId, message);
        queue.add(job);
        executor.submit(this::runNext);
    }

    /** Why a job that crashed the trainer too often is not run again, and what its submitter can change. */
    String crashedTooOften(List<Instant> crashes) {
        return "crashed the trainer " + crashes.size() + " times (attempts started at "
                + crashes.stream().map(Object::toString).collect(Collectors.joining(", "))
                + "; each died with the process), so it is not run again (trainer.max-attempts=" + config.maxAttempts()
                + "). Running out of memory is the usual cause: lower batchSize or maxLength (gradientAccumulationSteps"
                + " keeps the effective batch); otherwise the trainer's log and its pod's last state say what killed it";
    }

    /**
     * Stops the running job at its next step (it saves a resumable state there) and waits for that, within the
     * grace period; without waiting, the state's files would be cut off by the interrupt of a forced stop.
     */
    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        shuttingDown = true;
        reporter.shutdown();
        executor.shutdown();
        if (!executor.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
            executor.shutdownNow();
        }
        if (!reporter.awaitTermination(1, TimeUnit.SECONDS)) {
            reporter.shutdownNow();
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
        // Counted on disk before anything can crash: a start that finds the job still RUNNING knows this attempt died.
        registry.update(jobId, s -> s.withAttemptStarted("attempt " + (s.attempts() + 1) + " (at most "
                + config.maxAttempts() + " may crash the trainer): loading data and model"));
        metrics.started();
        Path workDir = store.jobDir(jobId);
        try {
            DatasetShards data = trainingData.of(job);
            JobPlan plan = planner.plan(job, data, workDir, device.device());
            TrainingResult result = new TrainingRun(plan, workDir)
                    .run(new JobEvents(jobId, registry, output, metrics, config, () -> shuttingDown));
            if (result.cancelled() && !registry.isCancelRequested(jobId)) {
                metrics.interrupted();
                // Back to QUEUED on disk: an orderly stop, which the next start must not count as a crash.
                registry.update(jobId, s -> s.withState(JobStatus.State.QUEUED, "stopped by a shutdown after step "
                        + result.steps() + ": continues from its saved state at the next start"));
                LOG.infof("job %s interrupted by shutdown after %d steps; it continues at the next start",
                        jobId, result.steps());
            } else if (result.cancelled()) {
                finish(jobId, JobStatus.State.CANCELLED, "cancelled after " + result.steps() + " steps");
            } else if (finish(jobId, JobStatus.State.COMPLETED, String.format("finished %d steps in %.1f s%s%s",
                    result.steps(), result.seconds(), result.stoppedEarly() ? " (stopped early)" : "",
                    result.resumedFromStep() > 0 ? " (resumed at step " + result.resumedFromStep() + ")" : ""))) {
                TrainingRun.deleteStates(workDir); // the final checkpoint is published: nothing left to resume
            }
        } catch (UnrunnableJobException e) {
            finish(jobId, JobStatus.State.FAILED, e.getMessage()); // the submitter's to fix: no stack trace needed
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "job %s failed", jobId);
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            finish(jobId, JobStatus.State.FAILED, reason);
        }
        if (registry.get(jobId).map(JobStatus::finished).orElse(false)) {
            BaseModels.deleteFetched(workDir); // a warm start's checkpoint: the job will not run again
        }
    }

    /** A job recovered after a restart may have trained before: it waited to resume, not to start. */
    private void cancelWaiting(String jobId) {
        boolean ranBefore = registry.get(jobId).map(JobStatus::startedAt).isPresent();
        finish(jobId, JobStatus.State.CANCELLED, ranBefore ? "cancelled while it waited to resume"
                : "cancelled before it started");
    }

    /**
     * Ends a job: its event goes to the progress topic first, and the job takes its final state only once the broker
     * has acknowledged it, so that a client told nothing never sees COMPLETED, and a job shown COMPLETED has said so
     * on Kafka. While the broker is away the job keeps its state and says it waits. A shutdown before the
     * acknowledgement leaves the job QUEUED on disk: the next start runs it again from its newest saved state and
     * reports it then (at least once).
     */
    private boolean finish(String jobId, JobStatus.State state, String message) {
        registry.update(jobId, s -> s.withMessage(message + " (reporting " + state
                + ": waits for the broker to acknowledge the event)"));
        if (!report(jobId, state, message)) {
            registry.update(jobId, s -> s.withState(JobStatus.State.QUEUED, "stopped by a shutdown before its "
                    + state + " event was acknowledged: runs again from its saved state at the next start"));
            return false;
        }
        registry.update(jobId, s -> s.withState(state, message));
        metrics.finished(state);
        LOG.infof("job %s %s: %s", jobId, state, message);
        return true;
    }

    /** @return false when the service began shutting down before the broker acknowledged the event */
    private boolean report(String jobId, JobStatus.State state, String message) {
        TrainingProgress event = TrainingProgress.of(jobId, TrainingProgress.Stage.valueOf(state.name()), message);
        try {
            return output.reliably(event, () -> shuttingDown, failure -> {
                LOG.warnf("job %s: its %s event is not acknowledged yet, trying again: %s", jobId, state,
                        failure.getMessage());
                registry.update(jobId, s -> s.withMessage(message + " (reporting " + state + ": the broker has not"
                        + " acknowledged the event yet, retrying: " + failure.getMessage() + ")"));
            });
        } catch (RuntimeException e) {
            if (shuttingDown || Thread.currentThread().isInterrupted()) { // a forced stop cut the wait short
                return false;
            }
            // Retrying cannot cure it (say, not authorized to write the topic): the state must not wait forever.
            LOG.errorf(e, "job %s: its %s event cannot be published", jobId, state);
            return true;
        }
    }
}
