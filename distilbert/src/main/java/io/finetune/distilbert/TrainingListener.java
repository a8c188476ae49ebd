package io.finetune.distilbert;

/** Progress callbacks of {@link FineTuner}; called on the training thread. */
public interface TrainingListener {

    TrainingListener NONE = new TrainingListener() {};

    /** Training continues from a saved state instead of starting at step 0. */
    default void onResumed(TrainingState state) {}

    default void onStep(StepProgress progress) {}

    /**
     * After each evaluation: at every epoch end, or every {@code evalSteps} steps, and after the last step (with
     * {@link TrainingConfig.EvalStrategy#NO} only then).
     */
    default void onEvaluation(EpochResult result) {}

    /** Polled before every batch; returning true stops training after the current batch. */
    default boolean isCancelled() {
        return false;
    }
}
