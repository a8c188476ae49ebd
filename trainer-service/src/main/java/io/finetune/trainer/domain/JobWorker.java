package io.finetune.trainer.domain;

import ai.djl.Device;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.ShardReader;
import io.finetune.contracts.TrainingJob;
import io.finetune.contracts.TrainingProgress;
import io.finetune.distilbert.Devices;
import io.finetune.distilbert.ModelResolver;
import io.finetune.distilbert.StepProgress;
import io.finetune.distilbert.TrainingResult;
import io.finetune.trainer.config.TrainerConfig;
import io.finetune.trainer.messaging.TrainerOutput;
import io.finetune.trainer.training.RunEvents;
import io.finetune.trainer.training.TrainingRun;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs queued jobs one at a time on a thread of its own (more replicas run more jobs). A job's outcome is always
 * reported: progress events while it runs, then COMPLETED, CANCELLED or FAILED with the reason.
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
    private final TrainerOutput output;
    private final TrainingMetrics metrics;
    private final TrainerConfig config;
    private final ShardReader shards;
    private final ModelResolver models;

    public JobWorker(JobRegistry registry, TrainerOutput output, TrainingMetrics metrics, TrainerConfig config,
                     @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.registry = registry;
        this.output = output;
        this.metrics = metrics;
        this.config = config;
        this.shards = new ShardReader(kafkaConfig);
        this.models = new ModelResolver(config.dataDir().resolve("models"));
    }

    public String baseModelOf(TrainingJob job) {
        return job.baseModel() == null || job.baseModel().isBlank() ? config.defaultBaseModel() : job.baseModel();
    }

    public void enqueue(TrainingJob job) {
        if (!registry.register(job, baseModelOf(job))) {
            return; // redelivered event of a job this replica has already taken
        }
        output.progress(TrainingProgress.of(job.jobId(), TrainingProgress.Stage.QUEUED, "queued"));
        executor.submit(() -> run(job));
    }

    void onStop(@Observes ShutdownEvent event) {
        registry.all().stream().filter(s -> !s.finished()).forEach(s -> registry.requestCancel(s.jobId()));
        executor.shutdownNow();
    }

    private void run(TrainingJob job) {
        String jobId = job.jobId();
        if (registry.isCancelRequested(jobId)) {
            finish(jobId, JobStatus.State.CANCELLED, "cancelled before it started");
            return;
        }
        registry.update(jobId, s -> JobRegistry.withState(s, JobStatus.State.RUNNING, "loading data and model"));
        metrics.started();
        try {
            DatasetShards data = shards.read(job.dataset()).orElseThrow(() -> new IllegalArgumentException(
                    "unknown dataset '" + job.dataset() + "': no prepared shards on the shards topic"));
            Path baseModel = models.resolve(baseModelOf(job));
            Device device = Devices.best();
            TrainingRun run = new TrainingRun(job, data, baseModel, config.dataDir().resolve("jobs").resolve(jobId),
                    device);
            TrainingResult result = run.run(new Events(jobId));
            if (result.cancelled()) {
                finish(jobId, JobStatus.State.CANCELLED, "cancelled after " + result.steps() + " steps");
            } else {
                finish(jobId, JobStatus.State.COMPLETED, String.format("finished %d steps in %.1f s%s",
                        result.steps(), result.seconds(), result.stoppedEarly() ? " (stopped early)" : ""));
            }
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "job %s failed", jobId);
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            finish(jobId, JobStatus.State.FAILED, reason);
        }
    }

    private void finish(String jobId, JobStatus.State state, String message) {
        registry.update(jobId, s -> JobRegistry.withState(s, state, message));
        metrics.finished(state);
        TrainingProgress.Stage stage = TrainingProgress.Stage.valueOf(state.name());
        output.progress(TrainingProgress.of(jobId, stage, message));
        LOG.infof("job %s %s: %s", jobId, state, message);
    }

    /** Turns a run's callbacks into progress events, job status and metrics. */
    private final class Events implements RunEvents {
        private final String jobId;
        private long lastProgressNanos;
        private int epochs;

        Events(String jobId) {
            this.jobId = jobId;
        }

        @Override
        public void started(String device, long examples, int epochs) {
            this.epochs = epochs;
            registry.update(jobId, s -> new JobStatus(s.jobId(), s.dataset(), s.baseModel(), s.hyperparameters(),
                    s.state(), s.step(), s.totalSteps(), s.epoch(), s.loss(), s.tokensPerSecond(), s.etaSeconds(),
                    device, s.checkpoints(), "training", s.submittedAt(), s.startedAt(), s.finishedAt()));
            output.progress(TrainingProgress.of(jobId, TrainingProgress.Stage.STARTED,
                    "training on " + device + ": " + examples + " examples, " + epochs + " epochs"));
        }

        @Override
        public void step(StepProgress p) {
            metrics.step(p.step(), p.totalSteps(), p.loss(), p.learningRate(), p.tokensPerSecond(), p.etaSeconds());
            registry.update(jobId, s -> new JobStatus(s.jobId(), s.dataset(), s.baseModel(), s.hyperparameters(),
                    s.state(), p.step(), p.totalSteps(), p.epoch(), p.loss(), p.tokensPerSecond(), p.etaSeconds(),
                    s.device(), s.checkpoints(), s.message(), s.submittedAt(), s.startedAt(), s.finishedAt()));
            long now = System.nanoTime();
            if (p.step() == p.totalSteps() || now - lastProgressNanos >= config.progressIntervalMillis() * 1_000_000) {
                lastProgressNanos = now;
                output.progress(new TrainingProgress(TrainingProgress.VERSION, jobId, TrainingProgress.Stage.STEP,
                        p.step(), p.totalSteps(), p.epoch(), epochs, p.loss(), p.learningRate(), p.tokensPerSecond(),
                        p.etaSeconds(), null, null, null, null, Instant.now()));
            }
        }

        @Override
        public void epochEnded(CheckpointInfo.EpochMetrics m) {
            metrics.epoch(m.validationLoss(), m.validationAccuracy());
            output.progress(new TrainingProgress(TrainingProgress.VERSION, jobId, TrainingProgress.Stage.EPOCH,
                    m.step(), null, m.epoch(), epochs, m.trainLoss(), null, null, null, m.validationLoss(),
                    m.validationAccuracy(), null, null, Instant.now()));
        }

        @Override
        public void checkpoint(CheckpointInfo info, Path dir) {
            int chunks = output.checkpoint(info.checkpointId(), jobId, dir);
            metrics.checkpoint(chunks);
            registry.update(jobId, s -> {
                List<String> checkpoints = new ArrayList<>(s.checkpoints());
                checkpoints.add(info.checkpointId());
                return new JobStatus(s.jobId(), s.dataset(), s.baseModel(), s.hyperparameters(), s.state(), s.step(),
                        s.totalSteps(), s.epoch(), s.loss(), s.tokensPerSecond(), s.etaSeconds(), s.device(),
                        List.copyOf(checkpoints), s.message(), s.submittedAt(), s.startedAt(), s.finishedAt());
            });
            output.progress(new TrainingProgress(TrainingProgress.VERSION, jobId, TrainingProgress.Stage.CHECKPOINT,
                    info.step(), null, info.epoch(), epochs, null, null, null, null, info.validationLoss(),
                    info.validationAccuracy(), info.checkpointId(), chunks + " chunks" + (info.last() ? ", final" : ""),
                    Instant.now()));
        }

        @Override
        public boolean cancelled() {
            return registry.isCancelRequested(jobId);
        }
    }
}
