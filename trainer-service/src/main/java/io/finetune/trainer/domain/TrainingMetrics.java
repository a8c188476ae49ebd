package io.finetune.trainer.domain;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Prometheus view of the job that is training now ({@code finetune_trainer_*}, the prefix of every meter of this
 * service): Grafana plots these live, the history is on the progress topic.
 */
@ApplicationScoped
public class TrainingMetrics {
    private final MeterRegistry registry;
    private final AtomicReference<Double> loss = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> learningRate = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> tokensPerSecond = new AtomicReference<>(0.0);
    private final AtomicReference<Double> etaSeconds = new AtomicReference<>(0.0);
    private final AtomicReference<Double> validationLoss = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> validationAccuracy = new AtomicReference<>(Double.NaN);
    private final AtomicLong step = new AtomicLong();
    private final AtomicLong totalSteps = new AtomicLong();
    private final AtomicLong running = new AtomicLong();

    public TrainingMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("finetune.trainer.loss", loss, AtomicReference::get);
        registry.gauge("finetune.trainer.learning_rate", learningRate, AtomicReference::get);
        registry.gauge("finetune.trainer.tokens_per_second", tokensPerSecond, AtomicReference::get);
        registry.gauge("finetune.trainer.eta_seconds", etaSeconds, AtomicReference::get);
        registry.gauge("finetune.trainer.validation_loss", validationLoss, AtomicReference::get);
        registry.gauge("finetune.trainer.validation_accuracy", validationAccuracy, AtomicReference::get);
        registry.gauge("finetune.trainer.step", step);
        registry.gauge("finetune.trainer.total_steps", totalSteps);
        registry.gauge("finetune.trainer.jobs_running", running);
    }

    public void started() {
        running.set(1);
    }

    public void step(long step, long total, double loss, double lr, double tokensPerSecond, double eta) {
        this.step.set(step);
        this.totalSteps.set(total);
        this.loss.set(loss);
        this.learningRate.set(lr);
        this.tokensPerSecond.set(tokensPerSecond);
        this.etaSeconds.set(eta);
        registry.counter("finetune.trainer.steps").increment();
    }

    public void epoch(double validationLoss, double validationAccuracy) {
        this.validationLoss.set(validationLoss);
        this.validationAccuracy.set(validationAccuracy);
    }

    public void checkpoint(int chunks) {
        registry.counter("finetune.trainer.checkpoints").increment();
        registry.counter("finetune.trainer.checkpoint_chunks").increment(chunks);
    }

    /** The running job stopped for a shutdown; it is not finished, so no outcome is counted. */
    public void interrupted() {
        running.set(0);
        etaSeconds.set(0.0);
    }

    public void finished(JobStatus.State state) {
        running.set(0);
        etaSeconds.set(0.0);
        registry.counter("finetune.trainer.jobs", "outcome", state.name().toLowerCase()).increment();
    }
}
