package io.finetune.trainer.training;

import io.finetune.contracts.Hyperparameters;
import io.finetune.distilbert.TrainingConfig;
import io.finetune.distilbert.TrainingConfig.BestModelMetric;
import io.finetune.distilbert.TrainingConfig.EvalStrategy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A job's evaluation settings, in Hugging Face's terms, checked together because they bind each other: when to
 * evaluate ({@code evalStrategy}, {@code evalSteps}), which metric picks the final model ({@code metricForBestModel},
 * {@code greaterIsBetter}) and whether the final model is the best or the last ({@code loadBestModelAtEnd}).
 */
final class EvaluationPolicy {
    /** What {@link TrainingConfig} takes from these settings. */
    record Evaluation(EvalStrategy strategy, BestModelMetric metric, boolean loadBestModelAtEnd) {
    }

    /**
     * @param numLabels the dataset's number of classes: the areas under curves need two
     * @param evalSteps the resolved {@code evalSteps}
     * @param problems  where each refusal is added, with the setting it concerns and how to fix it
     */
    static Evaluation resolve(Hyperparameters p, int numLabels, int evalSteps, List<String> problems) {
        TrainingConfig defaults = TrainingConfig.defaults();
        EvalStrategy strategy = strategy(p.evalStrategy(), evalSteps, problems);
        BestModelMetric metric = metric(p.metricForBestModel(), defaults.metricForBestModel(), numLabels, problems);
        if (p.greaterIsBetter() != null && p.greaterIsBetter() != metric.greaterIsBetter()) {
            problems.add("greaterIsBetter " + p.greaterIsBetter() + " contradicts metricForBestModel '" + metric.key()
                    + "' (" + (metric.greaterIsBetter() ? "higher" : "lower") + " is better): set it to "
                    + metric.greaterIsBetter() + " or leave it out");
        }
        boolean evaluatesWhileTraining = strategy != EvalStrategy.NO;
        if (!evaluatesWhileTraining && Boolean.TRUE.equals(p.loadBestModelAtEnd())) {
            problems.add("loadBestModelAtEnd true needs evaluations while training to choose from, and evalStrategy"
                    + " 'no' only scores the last weights (Hugging Face requires evaluation and saving at the same"
                    + " intervals): use evalStrategy 'epoch' or 'steps', or leave loadBestModelAtEnd out");
        }
        // With no evaluation while training the last weights are the only ones there are.
        boolean loadBest = evaluatesWhileTraining
                && (p.loadBestModelAtEnd() == null ? defaults.loadBestModelAtEnd() : p.loadBestModelAtEnd());
        // Early stopping's need for both is TrainingConfig's own check.
        return new Evaluation(strategy, metric, loadBest);
    }

    /** Hugging Face's name for what {@code evalSteps} implies: "steps" with an interval, "epoch" without. */
    private static EvalStrategy strategy(String name, int evalSteps, List<String> problems) {
        EvalStrategy implied = evalSteps > 0 ? EvalStrategy.STEPS : EvalStrategy.EPOCH;
        if (name == null) {
            return implied;
        }
        EvalStrategy strategy = EvalStrategy.byHuggingFaceName(name).orElse(null);
        if (strategy == null) {
            problems.add("evalStrategy must be one of " + Arrays.stream(EvalStrategy.values())
                    .map(s -> "'" + s.huggingFaceName() + "'").collect(Collectors.joining(", ")) + ", got '" + name
                    + "'");
            return implied;
        }
        if (strategy == EvalStrategy.STEPS && evalSteps == 0) {
            problems.add("evalStrategy 'steps' needs evalSteps (eval_steps) above 0: set it, or use 'epoch'");
            return implied; // the problem is said once, not again by TrainingConfig's own check
        } else if (strategy != EvalStrategy.STEPS && evalSteps > 0) {
            problems.add("evalStrategy '" + name + "' contradicts evalSteps " + evalSteps
                    + ": leave evalSteps out, or use 'steps'");
            return implied;
        }
        return strategy;
    }

    /** A metric by its key, Hugging Face's "eval_" prefix allowed ("eval_macro_f1"), in any case. */
    private static BestModelMetric metric(String name, BestModelMetric fallback, int numLabels,
                                          List<String> problems) {
        if (name == null) {
            return fallback;
        }
        BestModelMetric metric = BestModelMetric.byName(name).orElse(null);
        if (metric == null) {
            problems.add("metricForBestModel must be one of " + String.join(", ", BestModelMetric.keys())
                    + " (Hugging Face's eval_ prefix accepted), got '" + name + "'");
            return fallback;
        }
        if (metric.twoClassesOnly() && numLabels != 2) {
            problems.add("metricForBestModel '" + metric.key() + "' is defined for two labels only (it ranks examples by the"
                    + " second label's probability), the dataset has " + numLabels + ": choose macro_f1 or another"
                    + " metric");
        }
        return metric;
    }

    private EvaluationPolicy() {
    }
}
