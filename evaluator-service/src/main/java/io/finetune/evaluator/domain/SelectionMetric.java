package io.finetune.evaluator.domain;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;

/** The metrics a job's best checkpoint can be chosen by, with the direction in which each improves. */
public enum SelectionMetric {
    ACCURACY("accuracy", true, e -> e.result().accuracy()),
    MACRO_F1("macro_f1", true, e -> e.result().macroF1()),
    WEIGHTED_F1("weighted_f1", true, e -> e.result().weightedF1()),
    LOG_LOSS("log_loss", false, e -> e.result().logLoss()),
    ROC_AUC("roc_auc", true, EvaluatedCheckpoint::rocAuc),
    PR_AUC("pr_auc", true, EvaluatedCheckpoint::averagePrecision);

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
