package io.finetune.contracts;

import java.time.Instant;

/**
 * What became of one challenger of a deployment with a promotion policy, on {@link Topics#PROMOTIONS} keyed by the
 * deployment, and in its history over REST (docs/serving.md#promotion). Champion and challenger are scored on the
 * same evaluation set: the promotion holdout of one build of the dataset, never its test split.
 *
 * @param outcome         {@link #PROMOTED}: the deployment now serves the challenger, the champion is its
 *                        {@code previous}; {@link #KEPT}: the champion stays, the challenger lost or could not be
 *                        compared (see {@code reason})
 * @param champion        the checkpoint the deployment served when the challenger was judged
 * @param challenger      the newly evaluated checkpoint
 * @param metric          the policy's metric ({@code accuracy}, {@code macro_f1}, ..., as the evaluator names them)
 * @param greaterIsBetter the metric's direction
 * @param minImprovement  the policy's margin: how much better the challenger had to be
 * @param championScore   the champion's value of the metric on the evaluation set; null when it was not scored
 * @param challengerScore the challenger's; null when it was not scored
 * @param evaluationSet   the examples both were scored on; null when there were none to compare on
 * @param reason          why, in words a person reads in the history
 */
public record PromotionDecision(int v, String deployment, String outcome, String champion, String challenger,
                                String metric, boolean greaterIsBetter, double minImprovement, Double championScore,
                                Double challengerScore, EvaluationSet evaluationSet, String reason,
                                Instant decidedAt) {
    public static final int VERSION = 1;
    public static final String PROMOTED = "promoted";
    public static final String KEPT = "kept";

    public boolean promoted() {
        return PROMOTED.equals(outcome);
    }

    /**
     * @param build    the dataset build whose split was used: the dataset's newest when the challenger was judged
     * @param split    the split's name, {@code holdout}
     * @param examples how many examples it has
     */
    public record EvaluationSet(String dataset, String build, String split, int examples) {
    }
}
