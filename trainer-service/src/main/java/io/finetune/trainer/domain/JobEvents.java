package io.finetune.trainer.domain;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Directories;
import io.finetune.contracts.TrainingProgress;
import io.finetune.distilbert.StepProgress;
import io.finetune.trainer.config.TrainerConfig;
import io.finetune.trainer.messaging.TrainerOutput;
import io.finetune.trainer.training.RunEvents;
import org.jboss.logging.Logger;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Turns a run's callbacks into progress events, job status and metrics. */
final class JobEvents implements RunEvents {
    private static final Logger LOG = Logger.getLogger(JobEvents.class);
    private final String jobId;
    private final JobRegistry registry;
    private final TrainerOutput output;
    private final TrainingMetrics metrics;
    private final TrainerConfig config;
    private final BooleanSupplier shuttingDown;
    private long lastProgressNanos;
    private int epochs;

    JobEvents(String jobId, JobRegistry registry, TrainerOutput output, TrainingMetrics metrics, TrainerConfig config,
              BooleanSupplier shuttingDown) {
        this.jobId = jobId;
        this.registry = registry;
        this.output = output;
        this.metrics = metrics;
        this.config = config;
        this.shuttingDown = shuttingDown;
    }

    @Override
    public void started(String device, int threads, long examples, Hyperparameters settings) {
        this.epochs = settings.epochs();
        String where = startedOn(device, threads);
        registry.update(jobId, s -> s.withDevice(device, where).withHyperparameters(settings));
        output.progress(TrainingProgress.of(jobId, TrainingProgress.Stage.STARTED,
                where + ": " + examples + " examples, " + epochs + " epochs"));
    }

    /** "training on cpu() with 8 PyTorch threads"; on a GPU the threads only feed it, so they go unsaid. */
    static String startedOn(String device, int threads) {
        return "training on " + device + (device.startsWith("gpu") ? ""
                : " with " + threads + " PyTorch thread" + (threads == 1 ? "" : "s"));
    }

    @Override
    public void resumed(long step, int epoch) {
        String message = "resumed from the training state saved at step " + step + " (epoch " + epoch + ")";
        registry.update(jobId, s -> s.withResumedAt(step, epoch, message));
        output.progress(TrainingProgress.of(jobId, TrainingProgress.Stage.STARTED, message));
    }

    @Override
    public void step(StepProgress p) {
        metrics.step(p.step(), p.totalSteps(), p.loss(), p.learningRate(), p.tokensPerSecond(), p.etaSeconds());
        registry.update(jobId, s -> s.withProgress(p.step(), p.totalSteps(), p.epoch(), p.loss(),
                p.tokensPerSecond(), p.etaSeconds()));
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
        if (!config.keepPublishedCheckpoints()) {
            deletePublished(dir);
        }
        metrics.checkpoint(chunks);
        registry.update(jobId, s -> s.withCheckpoint(info.checkpointId()));
        // Clients act on this event (fetch, evaluate, deploy the checkpoint): training goes on only once it is
        // acknowledged. A shutdown while the broker is away ends the wait, and the event is lost (docs/delivery.md).
        TrainingProgress published = new TrainingProgress(TrainingProgress.VERSION, jobId,
                TrainingProgress.Stage.CHECKPOINT, info.step(), null, info.epoch(), epochs, null, null, null, null,
                info.validationLoss(), info.validationAccuracy(), info.checkpointId(),
                chunks + " chunks" + (info.last() ? ", final" : ""), Instant.now());
        boolean acknowledged = output.reliably(published, shuttingDown, failure -> LOG.warnf(
                "job %s: the event of checkpoint %s is not acknowledged yet, trying again: %s", jobId,
                info.checkpointId(), failure.getMessage()));
        if (!acknowledged) {
            LOG.warnf("job %s: shutting down before the event of checkpoint %s was acknowledged", jobId,
                    info.checkpointId());
        }
    }

    /**
     * Every chunk is acknowledged, so the checkpoint is on its topic (trainer.keep-published-checkpoints keeps the
     * directory too). A directory that cannot be deleted costs disk space only: logged, and training goes on.
     */
    private void deletePublished(Path dir) {
        try {
            Directories.delete(dir);
        } catch (UncheckedIOException e) {
            LOG.warnf(e, "job %s: published checkpoint %s could not be deleted", jobId, dir);
        }
    }

    /** Asked to cancel, or the service is shutting down (then the job stays RUNNING and continues at next start). */
    @Override
    public boolean cancelled() {
        return registry.isCancelRequested(jobId) || shuttingDown.getAsBoolean();
    }
}
