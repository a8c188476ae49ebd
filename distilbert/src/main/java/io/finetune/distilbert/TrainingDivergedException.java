package io.finetune.distilbert;

/**
 * The training loss (or the gradient norm) became NaN or infinite. Training stops before the bad update is applied,
 * so the model and the last saved state hold the last good weights.
 */
public final class TrainingDivergedException extends RuntimeException {
    private final long step;

    public TrainingDivergedException(long step) {
        this(step, "loss diverged at step " + step + " (learning rate too high?)");
    }

    TrainingDivergedException(long step, String message) {
        super(message);
        this.step = step;
    }

    /** The 1-based optimizer step whose loss was not finite. */
    public long step() {
        return step;
    }
}
