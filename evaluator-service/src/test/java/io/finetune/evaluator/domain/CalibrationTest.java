package io.finetune.evaluator.domain;

import io.finetune.contracts.EvaluationResult.LengthBucket;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CalibrationTest {

    @Test
    void calibrationErrorWeighsEachConfidenceBinBySize() {
        // Bin [0.9, 1.0]: confidences 0.95 and 1.0 (mean 0.975), one of two right -> |0.5 - 0.975| = 0.475.
        // Bin [0.6, 0.7): confidence 0.6, right -> |1 - 0.6| = 0.4. ECE = (2 * 0.475 + 1 * 0.4) / 3 = 0.45.
        int[] truth = {0, 1, 1};
        float[][] p = {{0.95f, 0.05f}, {1.0f, 0.0f}, {0.4f, 0.6f}};
        assertThat(Calibration.expectedCalibrationError(truth, p)).isCloseTo(0.45, within(1e-6));
    }

    @Test
    void aPerfectlyCalibratedModelHasNoError() {
        int[] truth = {0, 0, 0, 0, 1};
        float[][] p = {{0.8f, 0.2f}, {0.8f, 0.2f}, {0.8f, 0.2f}, {0.8f, 0.2f}, {0.8f, 0.2f}};
        assertThat(Calibration.expectedCalibrationError(truth, p)).isCloseTo(0.0, within(1e-6));
    }

    @Test
    void accuracyByLengthListsNonEmptyBucketsShortestFirst() {
        int[] lengths = {5, 16, 17, 600, 300};
        boolean[] correct = {true, false, true, false, true};
        assertThat(Calibration.accuracyByLength(lengths, correct)).containsExactly(
                new LengthBucket(1, 16, 2, 0.5), new LengthBucket(17, 32, 1, 1.0),
                new LengthBucket(257, 512, 1, 1.0), new LengthBucket(513, Integer.MAX_VALUE, 1, 0.0));
    }

    @Test
    void curvesStepOncePerDistinctScore() {
        boolean[] positive = {true, false, true, false};
        double[] scores = {0.9, 0.9, 0.6, 0.1};
        Curves c = Curves.of(positive, scores);
        // Thresholds 0.9 (tp 1, fp 1), 0.6 (tp 2, fp 1), 0.1 (tp 2, fp 2).
        assertThat(c.roc()).containsExactly(new double[]{0, 0}, new double[]{0.5, 0.5}, new double[]{0.5, 1},
                new double[]{1, 1});
        assertThat(c.pr()).containsExactly(new double[]{0, 1}, new double[]{0.5, 0.5}, new double[]{1, 2 / 3.0},
                new double[]{1, 0.5});
        assertThat(Curves.of(new boolean[]{true, true}, new double[]{0.1, 0.2})).isNull();
    }
}
