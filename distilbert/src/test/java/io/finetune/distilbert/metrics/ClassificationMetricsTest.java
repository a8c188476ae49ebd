package io.finetune.distilbert.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

/** Every expected value below was worked out by hand from the confusion matrix in the comments. */
class ClassificationMetricsTest {
    private static final double TOLERANCE = 1e-6; // float probabilities: 0.7f is 0.7 only to ~1e-8

    // truth:      a    a    b    b    c    c    b
    // predicted:  a    b    b    b    c    a    b        (argmax of each row)
    private static final int[] TRUTH = {0, 0, 1, 1, 2, 2, 1};
    private static final float[][] PROBABILITIES = {
            {0.7f, 0.2f, 0.1f},
            {0.3f, 0.6f, 0.1f},
            {0.2f, 0.5f, 0.3f},
            {0.1f, 0.6f, 0.3f},
            {0.1f, 0.1f, 0.8f},
            {1.0f, 0.0f, 0.0f}, // true class has probability 0: log loss must clip, not return infinity
            {0.2f, 0.7f, 0.1f}};

    @Test
    void multiClassMetricsMatchHandComputedValues() {
        ClassificationMetrics m = ClassificationMetrics.compute(List.of("a", "b", "c"), TRUTH, PROBABILITIES);

        // Rows true, columns predicted.
        assertThat(m.confusionMatrix()).isDeepEqualTo(new int[][]{{1, 1, 0}, {0, 3, 0}, {1, 0, 1}});
        assertThat(m.examples()).isEqualTo(7);
        assertThat(m.accuracy()).isCloseTo(5.0 / 7, within(TOLERANCE));
        // a: P = 1/2 (column a holds 2), R = 1/2; b: P = 3/4, R = 3/3; c: P = 1/1, R = 1/2.
        assertClass(m.perClass().get(0), "a", 0.5, 0.5, 0.5, 2);
        assertClass(m.perClass().get(1), "b", 0.75, 1.0, 6.0 / 7, 3);
        assertClass(m.perClass().get(2), "c", 1.0, 0.5, 2.0 / 3, 2);
        assertThat(m.macroF1()).isCloseTo((0.5 + 6.0 / 7 + 2.0 / 3) / 3, within(TOLERANCE));
        assertThat(m.weightedF1()).isCloseTo((0.5 * 2 + 6.0 / 7 * 3 + 2.0 / 3 * 2) / 7, within(TOLERANCE));
        double expectedLogLoss = -(Math.log(0.7) + Math.log(0.3) + Math.log(0.5) + Math.log(0.6) + Math.log(0.8)
                + Math.log(1e-15) + Math.log(0.7)) / 7;
        assertThat(m.logLoss()).isCloseTo(expectedLogLoss, within(TOLERANCE));
        assertThat(m.rocAuc()).as("AUC is for binary tasks only").isNull();
        assertThat(m.averagePrecision()).isNull();
    }

    @Test
    void classesAbsentFromTruthAndPredictionsDoNotDragMacroF1Down() {
        float[][] withFourth = new float[PROBABILITIES.length][];
        for (int i = 0; i < PROBABILITIES.length; i++) {
            withFourth[i] = new float[]{PROBABILITIES[i][0], PROBABILITIES[i][1], PROBABILITIES[i][2], 0f};
        }
        ClassificationMetrics m = ClassificationMetrics.compute(List.of("a", "b", "c", "d"), TRUTH, withFourth);

        assertThat(m.macroF1()).isCloseTo((0.5 + 6.0 / 7 + 2.0 / 3) / 3, within(TOLERANCE));
        assertClass(m.perClass().get(3), "d", 0, 0, 0, 0);
        assertThat(m.confusionMatrix()[3]).containsExactly(0, 0, 0, 0);
    }

    @Test
    void binaryTaskAddsRocAucAndAveragePrecision() {
        // positive scores: 0.9, 0.7, 0.3   negative scores: 0.8, 0.3
        int[] truth = {1, 0, 1, 0, 1};
        double[] positiveScore = {0.9, 0.8, 0.7, 0.3, 0.3};
        float[][] probabilities = new float[truth.length][];
        for (int i = 0; i < truth.length; i++) {
            probabilities[i] = new float[]{(float) (1 - positiveScore[i]), (float) positiveScore[i]};
        }
        ClassificationMetrics m = ClassificationMetrics.compute(List.of("NEGATIVE", "POSITIVE"), truth, probabilities);

        // Predicted 1,1,1,0,0 -> right, wrong, right, right, wrong.
        assertThat(m.accuracy()).isCloseTo(3.0 / 5, within(TOLERANCE));
        assertThat(m.confusionMatrix()).isDeepEqualTo(new int[][]{{1, 1}, {1, 2}});
        // Of the 6 (positive, negative) pairs: 0.9 beats both, 0.7 beats 0.3, 0.3 ties 0.3 (counts 1/2).
        assertThat(m.rocAuc()).isCloseTo(3.5 / 6, within(TOLERANCE));
        // Thresholds 0.9: P=1/1, 0.8: no new positive, 0.7: P=2/3, 0.3: P=3/5; each step gains recall 1/3.
        assertThat(m.averagePrecision()).isCloseTo((1.0 + 2.0 / 3 + 3.0 / 5) / 3, within(TOLERANCE));
    }

    @Test
    void theMetricsByNameLeaveOutTheAreasUnderCurvesWhereTheyAreUndefined() {
        ClassificationMetrics multiClass = ClassificationMetrics.compute(List.of("a", "b", "c"), TRUTH, PROBABILITIES);
        assertThat(multiClass.byName()).containsExactly(entry("accuracy", multiClass.accuracy()),
                entry("macro_f1", multiClass.macroF1()), entry("weighted_f1", multiClass.weightedF1()),
                entry("log_loss", multiClass.logLoss()));

        float[][] probabilities = {{0.2f, 0.8f}, {0.6f, 0.4f}, {0.3f, 0.7f}};
        ClassificationMetrics binary = ClassificationMetrics.compute(List.of("NEGATIVE", "POSITIVE"),
                new int[]{1, 0, 0}, probabilities);
        assertThat(binary.byName()).containsKeys("roc_auc", "pr_auc")
                .containsEntry("roc_auc", binary.rocAuc()).containsEntry("pr_auc", binary.averagePrecision());
        ClassificationMetrics positivesOnly = ClassificationMetrics.compute(List.of("NEGATIVE", "POSITIVE"),
                new int[]{1, 1, 1}, probabilities);
        assertThat(positivesOnly.byName()).doesNotContainKey("roc_auc").containsKey("pr_auc");
    }

    @Test
    void rankingMetricsAreUndefinedWithOneClassOnly() {
        float[][] probabilities = {{0.2f, 0.8f}, {0.6f, 0.4f}};
        ClassificationMetrics m = ClassificationMetrics.compute(List.of("NEGATIVE", "POSITIVE"), new int[]{1, 1},
                probabilities);

        assertThat(m.rocAuc()).isNull();
        assertThat(m.averagePrecision()).isEqualTo(1.0); // one positive per threshold step, ranked above nothing
        ClassificationMetrics negatives = ClassificationMetrics.compute(List.of("NEGATIVE", "POSITIVE"),
                new int[]{0, 0}, probabilities);
        assertThat(negatives.averagePrecision()).isNull();
    }

    @Test
    void perfectRankingHasAucOne() {
        boolean[] positive = {false, true, false, true};
        double[] scores = {0.1, 0.9, 0.2, 0.8};
        assertThat(RankingMetrics.rocAuc(positive, scores)).isEqualTo(1.0);
        assertThat(RankingMetrics.averagePrecision(positive, scores)).isEqualTo(1.0);
        assertThat(RankingMetrics.rocAuc(positive, new double[]{0.9, 0.1, 0.8, 0.2})).isEqualTo(0.0);
    }

    @Test
    void tiesPredictTheLowerClassIndex() {
        assertThat(ClassificationMetrics.argmax(new float[]{0.4f, 0.4f, 0.2f})).isZero();
        assertThat(ClassificationMetrics.argmax(new float[]{0.2f, 0.4f, 0.4f})).isEqualTo(1);
    }

    @Test
    void refusesLabelsOutsideTheLabelList() {
        assertThatThrownBy(() -> ClassificationMetrics.compute(List.of("a", "b"), new int[]{2},
                new float[][]{{0.5f, 0.5f}})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2");
        assertThatThrownBy(() -> ClassificationMetrics.compute(List.of("a", "b"), new int[0], new float[0][]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertClass(PerClassMetrics c, String label, double precision, double recall, double f1,
                                    int support) {
        assertThat(c.label()).isEqualTo(label);
        assertThat(c.precision()).as(label + " precision").isCloseTo(precision, within(TOLERANCE));
        assertThat(c.recall()).as(label + " recall").isCloseTo(recall, within(TOLERANCE));
        assertThat(c.f1()).as(label + " f1").isCloseTo(f1, within(TOLERANCE));
        assertThat(c.support()).isEqualTo(support);
    }
}
