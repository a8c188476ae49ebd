package io.finetune.distilbert;

import java.util.List;

/**
 * The outcome of {@link FineTuner#train}. The model holds the best evaluation's weights (by the configured
 * {@code metricForBestModel}) when a validation set was given, otherwise the last weights.
 *
 * @param history every evaluation, in order (one per epoch unless {@code evalSteps} is set)
 * @param finalEpoch the last evaluation, null when training stopped before any
 * @param bestEpoch the evaluation whose weights the model holds, null when none completed
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
