package io.finetune.evaluator.domain;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.CheckpointInfo.EpochMetrics;
import io.finetune.contracts.ClassMetrics;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.contracts.ShardManifest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Validation against test accuracy of one checkpoint, judged by the split sizes. */
class AccuracyGapTest {
    private static final Diagnosis DIAGNOSIS = new Diagnosis(Diagnosis.Thresholds.defaults());
    private static final String PLAIN = "{\"learningRate\": 5e-4}";

    /** Reference values: the hypergeometric sum over the 2×2 tables, as R's fisher.test computes it. */
    @Test
    void fishersExactTestGivesTheTextbookPValues() {
        assertThat(FisherExactTest.twoSided(15, 17, 7, 17)).isCloseTo(0.0104367, within(1e-6));
        assertThat(FisherExactTest.twoSided(16, 17, 6, 17)).isCloseTo(7.8993e-4, within(1e-7));
        assertThat(FisherExactTest.twoSided(12, 17, 6, 17)).isCloseTo(0.0844147, within(1e-6));
        assertThat(FisherExactTest.twoSided(450, 500, 400, 500)).isCloseTo(1.23103e-5, within(1e-9));
        assertThat(FisherExactTest.twoSided(15, 17, 15, 17)).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void theCaseThatRaisedTheQuestionIsWithinWhatSeventeenExamplesEachExplainAtTheDocumentedLevel() {
        // Validation 0.88 (15 of 17) and test 0.41 (7 of 17): p = 0.0104, just above 0.01.
        EvaluatedCheckpoint e = evaluated(15, 7, "b1", "test", PLAIN);
        AccuracyGap gap = AccuracyGap.of(e).orElseThrow();

        assertThat(gap.validationAccuracy()).isCloseTo(0.8824, within(1e-4));
        assertThat(gap.beyondChance()).isFalse();
        assertThat(gap.verdict()).isEqualTo("Within what splits of 17 and 17 examples explain: Fisher's exact test "
                + "p = 0.0104 (a gap is reported below 0.01).");
        assertThat(DIAGNOSIS.diagnose(Diagnosis.Run.of(e))).extracting(Finding::code)
                .doesNotContain("validation-test-gap");
    }

    @Test
    void aGapBeyondChanceIsReportedWithItsNumbers() {
        EvaluatedCheckpoint e = evaluated(16, 6, "b1", "test", PLAIN);
        AccuracyGap gap = AccuracyGap.of(e).orElseThrow();
        assertThat(gap.beyondChance()).isTrue();
        assertThat(gap.verdict()).startsWith("The gap is more than splits of 17 and 17 examples explain: Fisher's "
                + "exact test p = 0.0008, below 0.01.");

        Finding f = DIAGNOSIS.diagnose(Diagnosis.Run.of(e)).stream()
                .filter(finding -> finding.code().equals("validation-test-gap")).findFirst().orElseThrow();
        assertThat(f.evidence()).contains("validation accuracy 0.9412 (16 of 17, the trainer's) against test "
                        + "accuracy 0.3529 (6 of 17): Fisher's exact test p = 0.0008",
                "validation loss 0.4000 against test log loss 1.0400", "the best of 3 evaluations")
                .doesNotContain("label-smoothed");
        assertThat(f.suggestion()).contains("same source", "repeated in the training data");
    }

    @Test
    void aWeightedOrSmoothedValidationLossIsNotPassedOffAsTheTestLogLoss() {
        AccuracyGap gap = AccuracyGap.of(evaluated(16, 6, "b1", "test",
                "{\"classWeights\": [1.0, 3.0], \"labelSmoothingFactor\": 0.1}")).orElseThrow();
        assertThat(gap.lossesComparable()).isFalse();
        assertThat(gap.evidence()).contains("class-weighted or label-smoothed");
    }

    @Test
    void nothingToCompareWithoutAnIndependentTestSplitOfTheBuildTrainedOn() {
        assertThat(AccuracyGap.of(evaluated(16, 6, "b1", "validation", PLAIN))).as("scored on validation itself")
                .isEmpty();
        assertThat(AccuracyGap.of(evaluated(16, 6, "b2", "test", PLAIN))).as("evaluated on another build").isEmpty();
        EvaluatedCheckpoint e = evaluated(16, 6, "b1", "test", PLAIN);
        assertThat(AccuracyGap.of(new EvaluatedCheckpoint(e.result(), e.checkpoint(), withoutValidation(e.data()),
                null, List.of(), 0, null))).as("no validation split").isEmpty();
    }

    /**
     * A final checkpoint kept at epoch 2 of 3, with {@code validationRight} of 17 validation examples right by the
     * trainer, scored on 17 examples of {@code split} with {@code testRight} right, on build {@code evaluatedBuild}.
     */
    private static EvaluatedCheckpoint evaluated(int validationRight, int testRight, String evaluatedBuild,
                                                 String split, String settings) {
        List<EpochMetrics> history = List.of(new EpochMetrics(1, 5, 0.7, 0.45, 0.80),
                new EpochMetrics(2, 10, 0.6, 0.40, validationRight / 17.0), new EpochMetrics(3, 15, 0.5, 0.42, 0.85));
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.VERSION, "job", "job-final", "reviews", "b1",
                "distilbert-tiny", 2, 10, true, 0.6, 0.40, validationRight / 17.0, null, history,
                Json.read(settings, Hyperparameters.class), false);
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, "job", "job-final", "reviews", 2, 10L,
                split, 17, testRight / 17.0, 1.04, 0.4, 0.4, List.of("negative", "positive"), List.of(
                new ClassMetrics("negative", 0.4, 0.4, 0.4, 9), new ClassMetrics("positive", 0.4, 0.4, 0.4, 8)),
                new int[][]{{4, 5}, {5, 3}}, Instant.EPOCH, null, null, null, null, "fp32");
        ShardManifest data = new ShardManifest(ShardManifest.VERSION, "reviews", evaluatedBuild,
                List.of("negative", "positive"), Map.of("train", 1, "validation", 1, "test", 1), Map.of(
                "train", Map.of("negative", 20, "positive", 20), "validation", Map.of("negative", 9, "positive", 8),
                "test", Map.of("negative", 9, "positive", 8)), "distilbert-tiny", "distilbert-tiny", 64, "h", null);
        return new EvaluatedCheckpoint(result, info, data, null, List.of(), 0, new ModelFacts("distilbert", 64));
    }

    private static ShardManifest withoutValidation(ShardManifest m) {
        return new ShardManifest(m.v(), m.dataset(), m.build(), m.labels(), m.shards(), Map.of("train",
                m.counts().get("train"), "test", m.counts().get("test")), m.tokenizer(), m.model(), m.maxLength(),
                m.configHash(), m.report());
    }
}
