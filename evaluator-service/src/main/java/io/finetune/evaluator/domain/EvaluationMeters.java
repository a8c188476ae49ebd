package io.finetune.evaluator.domain;

import io.finetune.contracts.EvaluationResult;
import io.finetune.evaluator.config.EvaluatorConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The evaluator's Prometheus view (every name starts with {@code finetune_evaluator_}): gauges of the latest
 * checkpoint's metrics of each of the {@code evaluator.metrics-jobs} jobs evaluated last (so a dashboard plots a
 * job's progress; older jobs' gauges are removed, which bounds the series however many jobs the service has seen),
 * counters of chunks and checkpoint outcomes, and a timer of evaluations.
 *
 * <p>The gauges are labelled {@code training_job} and {@code dataset}: a {@code job} label would collide with the
 * one Prometheus gives every scraped series, and come out renamed {@code exported_job}.
 */
@ApplicationScoped
public class EvaluationMeters {
    static final String JOB_TAG = "training_job";
    /** Gauge name and how to read it from an evaluation. */
    private static final Map<String, ToDoubleFunction<EvaluatedCheckpoint>> GAUGES = Map.of(
            "finetune.evaluator.accuracy", e -> e.result().accuracy(),
            "finetune.evaluator.macro_f1", e -> e.result().macroF1(),
            "finetune.evaluator.weighted_f1", e -> e.result().weightedF1(),
            "finetune.evaluator.log_loss", e -> e.result().logLoss());
    /** Registered for two-class jobs only; NaN while the latest test split lacks one of the classes. */
    private static final Map<String, ToDoubleFunction<EvaluatedCheckpoint>> BINARY_GAUGES = Map.of(
            "finetune.evaluator.roc_auc", e -> e.rocAuc() == null ? Double.NaN : e.rocAuc(),
            "finetune.evaluator.pr_auc", e -> e.averagePrecision() == null ? Double.NaN : e.averagePrecision());

    private final MeterRegistry registry;
    private final int maxJobs;
    private final Timer duration;
    /**
     * The latest evaluation of each job that has gauges, the job evaluated longest ago first (Micrometer holds gauge
     * state weakly, so it lives here). Guarded by itself.
     */
    private final LinkedHashMap<String, Latest> latestByJob = new LinkedHashMap<>();

    private static final class Latest {
        volatile EvaluatedCheckpoint evaluation;
        final List<Meter> gauges = new ArrayList<>();
    }

    @Inject
    public EvaluationMeters(MeterRegistry registry, EvaluatorConfig config) {
        this(registry, config.metricsJobs());
    }

    EvaluationMeters(MeterRegistry registry, int maxJobs) {
        if (maxJobs < 1) {
            throw new IllegalArgumentException("evaluator.metrics-jobs must be at least 1, not " + maxJobs);
        }
        this.registry = registry;
        this.maxJobs = maxJobs;
        this.duration = Timer.builder("finetune.evaluator.evaluation.duration")
                .description("Time from a complete checkpoint to its published result").register(registry);
    }

    /** Gauges show what is on record, also right after a restart. */
    void restore(@Observes StartupEvent event, EvaluationStore store) {
        store.all().stream().sorted(Comparator.comparing(e -> e.result().evaluatedAt())).forEach(this::latest);
    }

    public void evaluated(EvaluatedCheckpoint evaluation, Duration took) {
        latest(evaluation);
        duration.record(took);
        checkpoint("evaluated");
    }

    /**
     * A checkpoint released from the checkpoints topic: counted as outcome {@code released}, and its archive's bytes
     * (what compaction frees) in {@code finetune_evaluator_released_bytes_total}.
     */
    public void released(long bytes) {
        checkpoint("released");
        registry.counter("finetune.evaluator.released.bytes").increment(bytes);
    }

    /**
     * @param outcome evaluated, duplicate, failed, retried (an evaluation tried again after a passing failure), or
     *                released (its chunks tombstoned on the checkpoints topic)
     */
    public void checkpoint(String outcome) {
        registry.counter("finetune.evaluator.checkpoints", "outcome", outcome).increment();
    }

    /** @param outcome accepted (decoded), corrupt, or tombstone (a released chunk's key, no value) */
    public void chunk(String outcome) {
        registry.counter("finetune.evaluator.chunks", "outcome", outcome).increment();
    }

    private void latest(EvaluatedCheckpoint evaluation) {
        EvaluationResult result = evaluation.result();
        String job = result.jobId() == null ? "unknown" : result.jobId();
        synchronized (latestByJob) {
            Latest latest = latestByJob.remove(job); // put back below: the job becomes the newest
            if (latest == null) {
                latest = new Latest();
                Tags tags = Tags.of(JOB_TAG, job, "dataset", String.valueOf(result.dataset()));
                register(GAUGES, tags, latest);
                if (result.labels() != null && result.labels().size() == 2) {
                    register(BINARY_GAUGES, tags, latest);
                }
            }
            latest.evaluation = evaluation;
            latestByJob.put(job, latest);
            Iterator<Latest> oldest = latestByJob.values().iterator();
            while (latestByJob.size() > maxJobs) {
                oldest.next().gauges.forEach(registry::remove);
                oldest.remove();
            }
        }
    }

    private void register(Map<String, ToDoubleFunction<EvaluatedCheckpoint>> gauges, Tags tags, Latest latest) {
        gauges.forEach((name, read) -> latest.gauges.add(Gauge.builder(name, latest,
                        l -> l.evaluation == null ? Double.NaN : read.applyAsDouble(l.evaluation))
                .tags(tags).register(registry)));
    }
}
