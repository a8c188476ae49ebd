package io.finetune.evaluator.serving;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The champion-against-challenger decision: margin, direction, ties and scores that do not exist. */
class PromotionRuleTest {
    private static final PromotionPolicy ACCURACY_BY_A_POINT = PromotionPolicy.of("accuracy", 0.01, null);

    @Test
    void aChallengerMustBeatTheChampionByTheMargin() {
        assertThat(PromotionRule.judge(ACCURACY_BY_A_POINT, 0.80, 0.85).promote()).isTrue();
        PromotionRule.Verdict short_ = PromotionRule.judge(ACCURACY_BY_A_POINT, 0.80, 0.805);
        assertThat(short_.promote()).isFalse();
        assertThat(short_.reason()).contains("better by 0.0050, less than the margin of 0.0100",
                "accuracy 0.8050 against the champion's 0.8000", "the champion stays");
        // 0.75 - 0.74 is 0.010000000000000009 and 0.81 - 0.80 is 0.010000000000000009: exactly the margin wins
        assertThat(PromotionRule.judge(ACCURACY_BY_A_POINT, 0.74, 0.75).promote()).isTrue();
        assertThat(PromotionRule.judge(PromotionPolicy.of("accuracy", 0.1, null), 0.7, 0.8).promote()).isTrue();
    }

    @Test
    void theMetricsDirectionDecidesWhatBetterMeans() {
        PromotionPolicy logLoss = PromotionPolicy.of("log_loss", 0.05, null);
        assertThat(logLoss.greaterIsBetter()).isFalse();
        PromotionRule.Verdict lower = PromotionRule.judge(logLoss, 0.40, 0.30);
        assertThat(lower.promote()).isTrue();
        assertThat(lower.improvement()).isCloseTo(0.10, org.assertj.core.data.Offset.offset(1e-12));
        PromotionRule.Verdict higher = PromotionRule.judge(logLoss, 0.30, 0.40);
        assertThat(higher.promote()).isFalse();
        assertThat(higher.reason()).startsWith("worse: ").contains("(lower is better)");
        assertThat(PromotionRule.judge(PromotionPolicy.of("macro_f1", 0.0, null), 0.6, 0.5).promote()).isFalse();
    }

    @Test
    void aTieNeverPromotesEvenWithoutAMargin() {
        PromotionPolicy any = PromotionPolicy.of("macro_f1", null, null);
        assertThat(any.minImprovement()).isZero();
        PromotionRule.Verdict tie = PromotionRule.judge(any, 0.7, 0.7);
        assertThat(tie.promote()).isFalse();
        assertThat(tie.reason()).startsWith("a tie: ");
        assertThat(PromotionRule.judge(any, 0.7, 0.7001).promote()).isTrue();
    }

    @Test
    void aScoreTheEvaluationSetCannotGiveIsNoWin() {
        PromotionPolicy auc = PromotionPolicy.of("roc_auc", 0.0, null);
        PromotionRule.Verdict missing = PromotionRule.judge(auc, 0.7, Double.NaN);
        assertThat(missing.promote()).isFalse();
        assertThat(missing.reason()).contains("roc_auc is undefined", "the challenger");
        assertThat(PromotionRule.judge(auc, Double.NaN, 0.9).promote()).isFalse();
    }

    @Test
    void aPolicyNamesAMetricTheEvaluatorComputesAMarginAndOnlyTheHoldout() {
        assertThat(PromotionPolicy.METRICS).containsExactly("accuracy", "macro_f1", "weighted_f1", "log_loss",
                "roc_auc", "pr_auc");
        assertThat(PromotionPolicy.of("pr_auc", null, "holdout")).isEqualTo(new PromotionPolicy("pr_auc", 0, "holdout"));
        assertInvalid(() -> PromotionPolicy.of(null, null, null), "metric is required: one of accuracy, macro_f1");
        assertInvalid(() -> PromotionPolicy.of("loss", null, null), "metric 'loss' is not one of accuracy");
        assertInvalid(() -> PromotionPolicy.of("accuracy", -0.1, null), "minImprovement -0.1 must be 0 or more");
        assertInvalid(() -> PromotionPolicy.of("accuracy", Double.NaN, null), "minImprovement NaN");
        assertInvalid(() -> PromotionPolicy.of("accuracy", null, "test"), "evaluationSet 'test' cannot judge");
    }

    private static void assertInvalid(Runnable policy, String message) {
        assertThatThrownBy(policy::run).isInstanceOf(ServingException.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(((ServingException) e).kind())
                        .isEqualTo(ServingException.Kind.INVALID_POLICY));
    }
}
