package io.finetune.evaluator.domain;

import io.finetune.contracts.EvaluationResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The evaluator's Prometheus view: per job, gauges of its latest checkpoint's metrics (so a dashboard plots a job's
 * progress), counters of chunks and checkpoint outcomes, and a timer of evaluations.
 */
@ApplicationScoped
public class EvaluationMeters {
    /** Gauge name and how to read it from an evaluation. */
    private static final Map<String, ToDoubleFunction<EvaluatedCheckpoint>> GAUGES = Map.of(
            "finetune.evaluation.accuracy", e -> e.result().accuracy(),
            "finetune.evaluation.macro_f1", e -> e.result().macroF1(),
            "finetune.evaluation.weighted_f1", e -> e.result().weightedF1(),
            "finetune.evaluation.log_loss", e -> e.result().logLoss());
    /** Registered for two-class jobs only; NaN while the latest test split lacks one of the classes. */
    private static final Map<String, ToDoubleFunction<EvaluatedCheckpoint>> BINARY_GAUGES = Map.of(
            "finetune.evaluation.roc_auc", e -> e.rocAuc() == null ? Double.NaN : e.rocAuc(),
            "finetune.evaluation.pr_auc", e -> e.averagePrecision() == null ? Double.NaN : e.averagePrecision());

    private final MeterRegistry registry;
    private final Timer duration;
    /** Micrometer holds gauge state weakly: the latest evaluation per job lives here. */
    private final Map<String, Latest> latestByJob = new ConcurrentHashMap<>();

    private static final class Latest {
        volatile EvaluatedCheckpoint evaluation;
    }

    public EvaluationMeters(MeterRegistry registry) {
        this.registry = registry;
        this.duration = Timer.builder("finetune.evaluation.duration")
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

    /** @param outcome evaluated, duplicate or failed */
    public void checkpoint(String outcome) {
        registry.counter("finetune.evaluator.checkpoints", "outcome", outcome).increment();
    }

    /** @param outcome accepted (decoded) or corrupt */
    public void chunk(String outcome) {
        registry.counter("finetune.evaluator.chunks", "outcome", outcome).increment();
    }

    private void latest(EvaluatedCheckpoint evaluation) {
        EvaluationResult result = evaluation.result();
        String job = result.jobId() == null ? "unknown" : result.jobId();
        Latest latest = latestByJob.computeIfAbsent(job, j -> {
            Latest created = new Latest();
            Tags tags = Tags.of("job", j, "dataset", String.valueOf(result.dataset()));
            register(GAUGES, tags, created);
            if (result.labels() != null && result.labels().size() == 2) {
                register(BINARY_GAUGES, tags, created);
            }
            return created;
        });
        latest.evaluation = evaluation;
    }

    private void register(Map<String, ToDoubleFunction<EvaluatedCheckpoint>> gauges, Tags tags, Latest latest) {
        gauges.forEach((name, read) -> registry.gauge(name, tags, latest,
                l -> l.evaluation == null ? Double.NaN : read.applyAsDouble(l.evaluation)));
    }
}
