package io.finetune.distilbert.metrics;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Threshold-free metrics of a binary scorer. Both sort once (O(n log n)), so they are cheap next to inference, and
 * both treat tied scores as one threshold, as scikit-learn does, so the order of tied examples cannot change them.
 */
public final class RankingMetrics {

    /**
     * ROC-AUC as the Mann-Whitney statistic: the probability that a random positive scores above a random negative,
     * ties counting one half. NaN when only one class is present (the curve is undefined).
     */
    public static double rocAuc(boolean[] positive, double[] scores) {
        Integer[] order = ascending(scores);
        long positives = 0;
        double positiveRankSum = 0;
        for (int start = 0; start < order.length; ) {
            int end = start;
            while (end < order.length && scores[order[end]] == scores[order[start]]) {
                end++;
            }
            double averageRank = (start + 1 + end) / 2.0; // ranks start..end-1, 1-based
            for (int i = start; i < end; i++) {
                if (positive[order[i]]) {
                    positives++;
                    positiveRankSum += averageRank;
                }
            }
            start = end;
        }
        long negatives = order.length - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /**
     * Average precision: the sum over descending thresholds of precision times the recall gained there, which is
     * scikit-learn's step-wise PR-AUC (no interpolation). NaN when there are no positives.
     */
    public static double averagePrecision(boolean[] positive, double[] scores) {
        Integer[] order = ascending(scores);
        long totalPositives = 0;
        for (boolean p : positive) {
            totalPositives += p ? 1 : 0;
        }
        if (totalPositives == 0) {
            return Double.NaN;
        }
        double ap = 0;
        long truePositives = 0;
        long predictedPositive = 0;
        for (int end = order.length; end > 0; ) {
            int start = end - 1;
            while (start > 0 && scores[order[start - 1]] == scores[order[end - 1]]) {
                start--;
            }
            long gained = 0;
            for (int i = start; i < end; i++) {
                gained += positive[order[i]] ? 1 : 0;
            }
            truePositives += gained;
            predictedPositive += end - start;
            ap += (double) gained / totalPositives * truePositives / predictedPositive;
            end = start;
        }
        return ap;
    }

    private static Integer[] ascending(double[] scores) {
        if (scores.length == 0) {
            return new Integer[0];
        }
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        return order;
    }

    private RankingMetrics() {
    }
}
