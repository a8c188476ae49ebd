package io.finetune.distilbert.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics of one classifier on one labelled split, computed from the true label indices and the predicted class
 * probabilities. Conventions follow scikit-learn so numbers can be checked against it: precision or recall of a class
 * without predictions or support is 0, macro F1 averages the classes present in the truth or the predictions, and
 * log loss clips probabilities at {@link #EPSILON}.
 *
 * @param confusionMatrix rows are true labels, columns predicted labels
 * @param rocAuc          binary tasks only (label index 1 is the positive class), null when undefined
 * @param averagePrecision PR-AUC as average precision, binary tasks only, null when undefined
 */
public record ClassificationMetrics(int examples, double accuracy, double logLoss, double macroF1, double weightedF1,
                                    List<PerClassMetrics> perClass, int[][] confusionMatrix, Double rocAuc,
                                    Double averagePrecision) {
    /** Keeps log(0) out of the log loss: a confidently wrong prediction costs -ln(1e-15) ≈ 34.5, not infinity. */
    public static final double EPSILON = 1e-15;

    /*
     * The metrics' names, shared by the evaluator's reports and selection and the trainer's choice of the best model,
     * so that "macro_f1" means the same number wherever a user asks for it.
     */
    public static final String ACCURACY = "accuracy";
    public static final String MACRO_F1 = "macro_f1";
    public static final String WEIGHTED_F1 = "weighted_f1";
    public static final String LOG_LOSS = "log_loss";
    public static final String ROC_AUC = "roc_auc";
    public static final String PR_AUC = "pr_auc";

    /**
     * @param labels        class names; index i names column i of {@code probabilities}
     * @param trueLabels    the true class index of each example
     * @param probabilities one row of class probabilities per example
     */
    public static ClassificationMetrics compute(List<String> labels, int[] trueLabels, float[][] probabilities) {
        int n = trueLabels.length;
        int k = labels.size();
        if (n == 0) {
            throw new IllegalArgumentException("no examples to evaluate");
        }
        if (probabilities.length != n) {
            throw new IllegalArgumentException(n + " labels but " + probabilities.length + " predictions");
        }
        int[][] confusion = new int[k][k];
        double logLossSum = 0;
        for (int i = 0; i < n; i++) {
            int truth = trueLabels[i];
            if (truth < 0 || truth >= k) {
                throw new IllegalArgumentException("example " + i + " has label index " + truth + " outside 0.."
                        + (k - 1));
            }
            if (probabilities[i].length != k) {
                throw new IllegalArgumentException("example " + i + " has " + probabilities[i].length
                        + " class probabilities, expected " + k);
            }
            confusion[truth][argmax(probabilities[i])]++;
            double p = Math.min(Math.max(probabilities[i][truth], EPSILON), 1 - EPSILON);
            logLossSum -= Math.log(p);
        }
        return fromConfusion(labels, confusion, n, logLossSum / n, binaryRanking(k, trueLabels, probabilities));
    }

    private static ClassificationMetrics fromConfusion(List<String> labels, int[][] confusion, int n, double logLoss,
                                                       double[] ranking) {
        int k = labels.size();
        List<PerClassMetrics> perClass = new ArrayList<>(k);
        long correct = 0;
        double f1Sum = 0;
        int present = 0;
        double weightedF1 = 0;
        for (int c = 0; c < k; c++) {
            correct += confusion[c][c];
            int support = 0;
            int predicted = 0;
            for (int j = 0; j < k; j++) {
                support += confusion[c][j];
                predicted += confusion[j][c];
            }
            double precision = ratio(confusion[c][c], predicted);
            double recall = ratio(confusion[c][c], support);
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.add(new PerClassMetrics(labels.get(c), precision, recall, f1, support));
            if (support > 0 || predicted > 0) {
                f1Sum += f1;
                present++;
            }
            weightedF1 += f1 * support / n;
        }
        return new ClassificationMetrics(n, (double) correct / n, logLoss, f1Sum / present, weightedF1,
                List.copyOf(perClass), confusion, ranking == null ? null : nanToNull(ranking[0]),
                ranking == null ? null : nanToNull(ranking[1]));
    }

    /** ROC-AUC and average precision of a two-class task, or null for more classes. */
    private static double[] binaryRanking(int classes, int[] trueLabels, float[][] probabilities) {
        if (classes != 2) {
            return null;
        }
        boolean[] positive = new boolean[trueLabels.length];
        double[] scores = new double[trueLabels.length];
        for (int i = 0; i < trueLabels.length; i++) {
            positive[i] = trueLabels[i] == 1;
            scores[i] = probabilities[i][1];
        }
        return new double[]{RankingMetrics.rocAuc(positive, scores), RankingMetrics.averagePrecision(positive, scores)};
    }

    /**
     * The single-number metrics by name ({@link #ACCURACY}, ...), in that order; {@link #ROC_AUC} and
     * {@link #PR_AUC} only where they are defined (two classes, both present for ROC-AUC, a positive for PR-AUC).
     */
    public Map<String, Double> byName() {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put(ACCURACY, accuracy);
        values.put(MACRO_F1, macroF1);
        values.put(WEIGHTED_F1, weightedF1);
        values.put(LOG_LOSS, logLoss);
        if (rocAuc != null) {
            values.put(ROC_AUC, rocAuc);
        }
        if (averagePrecision != null) {
            values.put(PR_AUC, averagePrecision);
        }
        return Collections.unmodifiableMap(values);
    }

    /** The predicted class; ties go to the lower index, as numpy's argmax does. */
    public static int argmax(float[] row) {
        int best = 0;
        for (int j = 1; j < row.length; j++) {
            if (row[j] > row[best]) {
                best = j;
            }
        }
        return best;
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0 : (double) numerator / denominator;
    }

    private static Double nanToNull(double value) {
        return Double.isNaN(value) ? null : value;
    }
}
