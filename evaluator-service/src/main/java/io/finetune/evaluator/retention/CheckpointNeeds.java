package io.finetune.evaluator.retention;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.distilbert.TrainingConfig.BestModelMetric;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.TrainedSettings;
import io.finetune.evaluator.serving.Deployment;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The one rule that says whether a checkpoint's chunks on {@code finetune.training.checkpoints} are still needed, and
 * why. Everything else about retention ({@link CheckpointRetention}) only acts on its answer. A checkpoint is needed
 * while any of these holds, checked in this order:
 * <ol>
 *   <li>it waits for its evaluation (queued on disk) or has no evaluation on record (being assembled, or dead-lettered:
 *       nothing was learnt from it yet, and an operator may want it back);</li>
 *   <li>a deployment serves it, or rolls back to it;</li>
 *   <li>it is its job's best: the final checkpoint, the trainer's choice by validation {@code metricForBestModel}; or,
 *       while the job has no evaluated final checkpoint (still training, or failed, or cancelled), every checkpoint
 *       of it that no other evaluated checkpoint of the job beats by that metric (ties and unranked ones kept). One
 *       that is beaten never becomes the best later: more checkpoints can only beat it more;</li>
 *   <li>the evaluator can still use its model: on the shelf (among {@code evaluator.keep-models} newest, or a job's
 *       best) or pinned for serving. So whatever {@code POST /predict}, a model download or a new deployment can name
 *       is still on Kafka, and a deployment made later is of a checkpoint still there.</li>
 * </ol>
 * Promotion challengers need no rule of their own: a challenger is judged right after its evaluation, before any
 * release, and one that wins is deployed.
 */
public final class CheckpointNeeds {
    private final Map<String, EvaluatedCheckpoint> evaluations;
    private final Map<String, List<EvaluatedCheckpoint>> byJob;
    private final Collection<Deployment> deployments;
    private final Predicate<String> queued;
    private final Predicate<String> usable;

    /**
     * @param evaluations every evaluation on record
     * @param deployments every deployment
     * @param queued      whether a checkpoint waits for its evaluation
     * @param usable      whether the evaluator still holds the checkpoint's model (shelf or serving)
     */
    public CheckpointNeeds(Collection<EvaluatedCheckpoint> evaluations, Collection<Deployment> deployments,
                           Predicate<String> queued, Predicate<String> usable) {
        this.evaluations = evaluations.stream().collect(Collectors.toMap(e -> e.result().checkpointId(),
                Function.identity(), (a, b) -> b));
        this.byJob = evaluations.stream().filter(e -> e.result().jobId() != null)
                .collect(Collectors.groupingBy(e -> e.result().jobId()));
        this.deployments = List.copyOf(deployments);
        this.queued = queued;
        this.usable = usable;
    }

    /** Why the checkpoint must stay on Kafka; empty when nothing needs it and its chunks may be released. */
    public Optional<String> whyNeeded(String checkpointId) {
        if (queued.test(checkpointId)) {
            return Optional.of("queued for evaluation");
        }
        EvaluatedCheckpoint evaluation = evaluations.get(checkpointId);
        if (evaluation == null) {
            return Optional.of("no evaluation on record (being assembled, or dead-lettered)");
        }
        for (Deployment d : deployments) {
            if (checkpointId.equals(d.checkpoint())) {
                return Optional.of("deployment '" + d.name() + "' serves it");
            }
            if (checkpointId.equals(d.previous())) {
                return Optional.of("deployment '" + d.name() + "' rolls back to it");
            }
        }
        Optional<String> best = bestOfJob(evaluation);
        if (best.isPresent()) {
            return best;
        }
        if (usable.test(checkpointId)) {
            return Optional.of("the evaluator still holds its model (the newest evaluations, or pinned for serving)");
        }
        return Optional.empty();
    }

    private Optional<String> bestOfJob(EvaluatedCheckpoint evaluation) {
        String job = evaluation.result().jobId();
        if (evaluation.trainersChoice()) {
            return Optional.of("the best of job '" + job + "': its final checkpoint");
        }
        List<EvaluatedCheckpoint> siblings = job == null ? List.of(evaluation) : byJob.get(job);
        if (siblings.stream().anyMatch(EvaluatedCheckpoint::trainersChoice)) {
            return Optional.empty(); // the final checkpoint holds the best weights
        }
        String metricName = TrainedSettings.metricForBestModel(evaluation.checkpoint());
        Optional<BestModelMetric> metric = BestModelMetric.byName(metricName);
        double own = metric.map(m -> validationScore(evaluation.checkpoint(), m)).orElse(Double.NaN);
        if (Double.isNaN(own)) {
            return Optional.of("job '" + job + "' has no final checkpoint yet and this one has no validation "
                    + metricName + " to rank it by");
        }
        BestModelMetric m = metric.get();
        // Beaten by any sibling means never the job's best, whatever unranked siblings turn out to be.
        boolean beaten = siblings.stream().map(other -> validationScore(other.checkpoint(), m))
                .anyMatch(score -> m.greaterIsBetter() ? score > own : score < own); // NaN compares false
        return beaten ? Optional.empty() : Optional.of("the best of job '" + job + "' so far by validation "
                + metricName + " (no final checkpoint yet)");
    }

    /** The checkpoint's own validation figure of the metric, NaN where it did not record it. */
    static double validationScore(CheckpointInfo info, BestModelMetric metric) {
        if (info == null) {
            return Double.NaN;
        }
        if (metric == BestModelMetric.LOSS) {
            return info.validationLoss() == null ? Double.NaN : info.validationLoss();
        }
        if (info.history() != null) {
            for (int i = info.history().size() - 1; i >= 0; i--) {
                CheckpointInfo.EpochMetrics epoch = info.history().get(i);
                if (epoch.step() == info.step() && epoch.validationMetrics() != null
                        && epoch.validationMetrics().get(metric.key()) != null) {
                    return epoch.validationMetrics().get(metric.key());
                }
            }
        }
        if (metric == BestModelMetric.ACCURACY && info.validationAccuracy() != null) {
            return info.validationAccuracy();
        }
        return Double.NaN;
    }
}
