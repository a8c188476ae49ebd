package io.finetune.evaluator.domain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * ROC and precision-recall curves of a two-class task for the report, as (x, y) points: ROC is (false positive rate,
 * true positive rate), PR is (recall, precision). One point per distinct score, thinned to at most
 * {@link #MAX_POINTS} so a report of a large test split stays small.
 */
public record Curves(List<double[]> roc, List<double[]> pr) {
    static final int MAX_POINTS = 200;

    /** Null unless both classes occur (either curve is undefined otherwise). */
    public static Curves of(boolean[] positive, double[] scores) {
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        long positives = 0;
        for (boolean p : positive) {
            positives += p ? 1 : 0;
        }
        long negatives = positive.length - positives;
        if (positives == 0 || negatives == 0) {
            return null;
        }
        List<double[]> roc = new ArrayList<>(List.of(new double[]{0, 0}));
        List<double[]> pr = new ArrayList<>(List.of(new double[]{0, 1}));
        long tp = 0;
        long fp = 0;
        for (int i = 0; i < order.length; i++) {
            if (positive[order[i]]) {
                tp++;
            } else {
                fp++;
            }
            boolean thresholdEnds = i == order.length - 1 || scores[order[i + 1]] != scores[order[i]];
            if (thresholdEnds) { // tied scores are one threshold
                roc.add(new double[]{(double) fp / negatives, (double) tp / positives});
                pr.add(new double[]{(double) tp / positives, (double) tp / (tp + fp)});
            }
        }
        return new Curves(thin(roc), thin(pr));
    }

    private static List<double[]> thin(List<double[]> points) {
        if (points.size() <= MAX_POINTS) {
            return points;
        }
        List<double[]> kept = new ArrayList<>(MAX_POINTS);
        double step = (points.size() - 1) / (double) (MAX_POINTS - 1);
        for (int i = 0; i < MAX_POINTS; i++) {
            kept.add(points.get((int) Math.round(i * step)));
        }
        return kept;
    }
}
