package io.finetune.distilbert;

/** Progress callbacks of {@link FineTuner}; called on the training thread. */
public interface TrainingListener {

    TrainingListener NONE = new TrainingListener() {};

    default void onStep(StepProgress progress) {}

    default void onEpochEnd(EpochResult result) {}

    /** Polled before every batch; returning true stops training after the current batch. */
    default boolean isCancelled() {
        return false;
    }
}
