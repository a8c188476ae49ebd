package io.finetune.evaluator.domain;

import io.finetune.contracts.EvaluationResult.LengthBucket;
import io.finetune.distilbert.metrics.ClassificationMetrics;

import java.util.ArrayList;
import java.util.List;

/**
 * How far a model's confidence can be trusted, and where its accuracy drops. Expected calibration error uses 10
 * equal-width bins of the top-class probability (Guo et al. 2017): the bin-size-weighted mean of
 * |accuracy - mean confidence|. Length buckets double up to the model's 512 positions, so a reader sees whether long
 * (truncated) inputs are the weak spot.
 */
public final class Calibration {
    static final int BINS = 10;
    /** Upper bounds of the token-length buckets; the last one catches everything longer. */
    static final int[] LENGTH_BOUNDS = {16, 32, 64, 128, 256, 512, Integer.MAX_VALUE};

    public static double expectedCalibrationError(int[] truth, float[][] probabilities) {
        int[] count = new int[BINS];
        double[] confidence = new double[BINS];
        int[] correct = new int[BINS];
        for (int i = 0; i < truth.length; i++) {
            int predicted = ClassificationMetrics.argmax(probabilities[i]);
            double p = probabilities[i][predicted];
            int bin = Math.min(BINS - 1, (int) (p * BINS)); // p = 1.0 belongs to the last bin
            count[bin]++;
            confidence[bin] += p;
            correct[bin] += predicted == truth[i] ? 1 : 0;
        }
        double ece = 0;
        for (int b = 0; b < BINS; b++) {
            if (count[b] > 0) {
                ece += Math.abs((double) correct[b] / count[b] - confidence[b] / count[b]) * count[b] / truth.length;
            }
        }
        return ece;
    }

    /** Non-empty buckets only, shortest first. */
    public static List<LengthBucket> accuracyByLength(int[] lengths, boolean[] correct) {
        List<LengthBucket> buckets = new ArrayList<>();
        int lower = 1;
        for (int upper : LENGTH_BOUNDS) {
            int n = 0;
            int right = 0;
            for (int i = 0; i < lengths.length; i++) {
                if (lengths[i] >= lower && lengths[i] <= upper) {
                    n++;
                    right += correct[i] ? 1 : 0;
                }
            }
            if (n > 0) {
                buckets.add(new LengthBucket(lower, upper, n, (double) right / n));
            }
            lower = upper == Integer.MAX_VALUE ? upper : upper + 1;
        }
        return buckets;
    }

    private Calibration() {
    }
}
