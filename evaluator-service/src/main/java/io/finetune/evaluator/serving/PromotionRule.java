package io.finetune.evaluator.serving;

import java.util.Locale;

/**
 * Whether a challenger's score beats the champion's by the policy's margin, in the metric's direction. Pure: the
 * scores come from {@link HoldoutScores}, what follows from the verdict from {@link Promotions}.
 */
public final class PromotionRule {
    /**
     * Scores are averages over a few hundred examples at most in double precision: a difference this close to the
     * margin is the margin (0.75 - 0.74 is 0.010000000000000009).
     */
    static final double TOLERANCE = 1e-9;

    /** @param reason why, in words, with both scores */
    public record Verdict(boolean promote, double improvement, String reason) {
    }

    private PromotionRule() {
    }

    public static Verdict judge(PromotionPolicy policy, double champion, double challenger) {
        String scores = String.format(Locale.ROOT, "%s %.4f against the champion's %.4f", policy.metric(), challenger,
                champion);
        if (Double.isNaN(champion) || Double.isNaN(challenger)) {
            return new Verdict(false, Double.NaN, policy.metric() + " is undefined on the evaluation set for "
                    + (Double.isNaN(challenger) ? "the challenger" : "the champion") + " (roc_auc and pr_auc need"
                    + " both classes in it): nothing to compare, the champion stays");
        }
        double improvement = policy.greaterIsBetter() ? challenger - champion : champion - challenger;
        String margin = String.format(Locale.ROOT, "%.4f", policy.minImprovement());
        if (improvement <= TOLERANCE) {
            return new Verdict(false, improvement, (Math.abs(improvement) <= TOLERANCE ? "a tie: " : "worse: ")
                    + scores + (policy.greaterIsBetter() ? "" : " (lower is better)") + "; the champion stays");
        }
        if (improvement < policy.minImprovement() - TOLERANCE) {
            return new Verdict(false, improvement, String.format(Locale.ROOT, "better by %.4f, less than the"
                    + " margin of %s: %s; the champion stays", improvement, margin, scores));
        }
        return new Verdict(true, improvement, String.format(Locale.ROOT, "better by %.4f, at least the margin of %s:"
                + " %s", improvement, margin, scores));
    }
}
