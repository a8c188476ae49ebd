package io.finetune.evaluator.domain;

import io.finetune.distilbert.metrics.ClassificationMetrics;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;

/** The metrics a job's best checkpoint can be chosen by, with the direction in which each improves. */
public enum SelectionMetric {
    ACCURACY(ClassificationMetrics.ACCURACY, true, e -> e.result().accuracy()),
    MACRO_F1(ClassificationMetrics.MACRO_F1, true, e -> e.result().macroF1()),
    WEIGHTED_F1(ClassificationMetrics.WEIGHTED_F1, true, e -> e.result().weightedF1()),
    LOG_LOSS(ClassificationMetrics.LOG_LOSS, false, e -> e.result().logLoss()),
    ROC_AUC(ClassificationMetrics.ROC_AUC, true, EvaluatedCheckpoint::rocAuc),
    PR_AUC(ClassificationMetrics.PR_AUC, true, EvaluatedCheckpoint::averagePrecision);

    private final String key;
    private final boolean higherIsBetter;
    private final Function<EvaluatedCheckpoint, Double> value;

    SelectionMetric(String key, boolean higherIsBetter, Function<EvaluatedCheckpoint, Double> value) {
        this.key = key;
        this.higherIsBetter = higherIsBetter;
        this.value = value;
    }

    public String key() {
        return key;
    }

    /** The metric's value for an evaluation, or null where it is undefined (AUCs of multi-class tasks). */
    public Double of(EvaluatedCheckpoint evaluation) {
        return value.apply(evaluation);
    }

    /** Positive when {@code a} is better than {@code b}; both must be defined. */
    public int compare(double a, double b) {
        return higherIsBetter ? Double.compare(a, b) : Double.compare(b, a);
    }

    public static Optional<SelectionMetric> parse(String key) {
        return Arrays.stream(values()).filter(m -> m.key.equalsIgnoreCase(key)).findFirst();
    }

    public static String keys() {
        return String.join(", ", Arrays.stream(values()).map(SelectionMetric::key).toList());
    }
}
