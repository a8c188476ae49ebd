package io.finetune.distilbert;

import java.util.List;

/**
 * The outcome of {@link FineTuner#train}. The model holds the best epoch's weights (lowest validation loss) when a
 * validation set was given, otherwise the last weights.
 *
 * @param finalEpoch the last completed epoch, null when training stopped before any epoch ended
 * @param bestEpoch the epoch whose weights the model holds, null when none completed
 * @param stoppedEarly true when early stopping ended training
 * @param cancelled true when the listener cancelled training
 */
public record TrainingResult(
        List<EpochResult> history,
        EpochResult finalEpoch,
        EpochResult bestEpoch,
        long steps,
        boolean stoppedEarly,
        boolean cancelled,
        double seconds) {

    public TrainingResult {
        history = List.copyOf(history);
    }
}
