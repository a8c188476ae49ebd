package io.finetune.evaluator.serving;

import io.finetune.distilbert.TrainingConfig.BestModelMetric;

import java.util.List;

/**
 * When a newly evaluated checkpoint replaces a deployment's champion on its own: when it beats the champion on
 * {@code metric} by at least {@code minImprovement}, both scored on the same promotion holdout
 * (docs/serving.md#promotion).
 *
 * @param metric         one of the evaluator's metrics ({@link #METRICS}); its direction is the trainer's
 *                       ({@link BestModelMetric#greaterIsBetter()}), so {@code log_loss} improves downwards
 * @param minImprovement how much better, in the metric's units (0.01 of accuracy is one point); 0 asks for any
 *                       improvement at all, and a tie never promotes
 * @param evaluationSet  the split both are scored on: {@link #HOLDOUT}, the only one that is neither trained,
 *                       validated nor reported on
 */
public record PromotionPolicy(String metric, double minImprovement, String evaluationSet) {
    public static final String HOLDOUT = "holdout";
    /**
     * The metrics a policy may use: the trainer's metricForBestModel keys less {@code loss}, the training loss, which
     * the evaluator computes as {@code log_loss}.
     */
    public static final List<String> METRICS = BestModelMetric.keys().stream()
            .filter(key -> !key.equals(BestModelMetric.LOSS.key())).toList();

    /**
     * A policy as a request gives it: metric required, margin default 0, evaluation set default the holdout.
     *
     * @throws ServingException INVALID_POLICY naming each problem
     */
    public static PromotionPolicy of(String metric, Double minImprovement, String evaluationSet) {
        StringBuilder problems = new StringBuilder();
        if (metric == null || !METRICS.contains(metric)) {
            problems.append("metric ").append(metric == null ? "is required" : "'" + metric + "' is not one of")
                    .append(metric == null ? ": one of " : " ").append(String.join(", ", METRICS));
        }
        if (minImprovement != null && !(minImprovement >= 0 && minImprovement < Double.POSITIVE_INFINITY)) {
            problems.append(problems.isEmpty() ? "" : "; ").append("minImprovement ").append(minImprovement)
                    .append(" must be 0 or more, in the metric's units (0.01 of accuracy is one point)");
        }
        if (evaluationSet != null && !HOLDOUT.equals(evaluationSet)) {
            problems.append(problems.isEmpty() ? "" : "; ").append("evaluationSet '").append(evaluationSet)
                    .append("' cannot judge a promotion: only '").append(HOLDOUT).append("' can, the test split's"
                            + " figures are the model's reported accuracy and choosing on them makes them optimistic");
        }
        if (!problems.isEmpty()) {
            throw new ServingException(ServingException.Kind.INVALID_POLICY, problems.toString());
        }
        return new PromotionPolicy(metric, minImprovement == null ? 0 : minImprovement, HOLDOUT);
    }

    public boolean greaterIsBetter() {
        return BestModelMetric.byKey(metric).orElseThrow().greaterIsBetter();
    }
}
