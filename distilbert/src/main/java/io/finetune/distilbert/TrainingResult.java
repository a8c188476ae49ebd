package io.finetune.distilbert;

import java.util.List;

/**
 * The outcome of {@link FineTuner#train}. The model holds the best evaluation's weights (by the configured
 * {@code metricForBestModel}) when a validation set was given and {@link TrainingConfig#keepsBestWeights()},
 * otherwise the last weights.
 *
 * @param history every evaluation, in order (one per epoch, per {@code evalSteps} steps, or with
 *                {@link TrainingConfig.EvalStrategy#NO} only the one after the last step)
 * @param finalEpoch the last evaluation, null when training stopped before any
 * @param bestEpoch the best evaluation by {@code metricForBestModel} (the last without a validation set), null when
 *                  none completed
 * @param keptEpoch the evaluation whose weights the model holds: {@code bestEpoch}, or {@code finalEpoch} where the
 *                  best weights are not kept
 * @param stoppedEarly true when early stopping ended training
 * @param cancelled true when the listener cancelled training
 * @param resumedFromStep the step of the saved state training continued from, 0 for a fresh start
 * @param skippedSteps optimizer steps that float16 training skipped because its gradients overflowed (counted in
 *                     {@code steps}; 0 in the other precisions)
 */
public record TrainingResult(
        List<EpochResult> history,
        EpochResult finalEpoch,
        EpochResult bestEpoch,
        EpochResult keptEpoch,
        long steps,
        boolean stoppedEarly,
        boolean cancelled,
        double seconds,
        long resumedFromStep,
        long skippedSteps) {

    public TrainingResult {
        history = List.copyOf(history);
    }
}
