package io.finetune.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;

/**
 * Dynamic loss scaling for float16 mixed precision, by the rules of {@code torch.amp.GradScaler} (which Hugging
 * Face's {@code fp16=True} uses): the loss is multiplied by the scale before backward, so that small gradients do
 * not underflow float16's range; the gradients are divided by it again before clipping; a step whose gradients are
 * not finite is skipped and the scale halved; after {@value #GROWTH_INTERVAL} good steps in a row it doubles.
 * Scales are powers of two, so scaling and unscaling are exact.
 *
 * <p>Its {@link State} belongs to a resumable training state: a resumed run continues with the scale the
 * interrupted one had reached.
 */
public final class LossScaler {
    /** torch.amp.GradScaler's defaults. */
    static final double DEFAULT_INITIAL_SCALE = 65536.0;
    static final double GROWTH_FACTOR = 2.0;
    static final double BACKOFF_FACTOR = 0.5;
    static final int GROWTH_INTERVAL = 2000;
    /**
     * float16's smallest subnormal: once the scale has backed off below it, no scale makes the gradients finite and
     * the loss itself has diverged (from the default, 41 skipped steps in a row).
     */
    static final double MIN_SCALE = 0x1p-24;

    /** The scale and how many good steps in a row have passed since it last changed. */
    public record State(double scale, int growthTracker) {}

    private double scale;
    private int growthTracker;

    LossScaler(double initialScale) {
        if (!(initialScale > 0) || Double.isInfinite(initialScale)) {
            throw new IllegalArgumentException("the initial loss scale must be positive and finite: " + initialScale);
        }
        this.scale = initialScale;
    }

    double scale() {
        return scale;
    }

    /** Divides every parameter's gradient by the scale, in place (torch multiplies by the float32 reciprocal). */
    void unscale(Map<String, NDArray> parameters, NDManager scratch) {
        NDArray inverse = scratch.create((float) (1.0 / scale));
        for (NDArray p : parameters.values()) {
            AdamW.gradient(p, scratch).muli(inverse);
        }
    }

    /**
     * Takes the outcome of one step: with non-finite gradients the scale backs off (and the caller skips the
     * update), otherwise it grows after a run of {@value #GROWTH_INTERVAL} good steps.
     *
     * @return whether the optimizer step must be skipped
     */
    boolean update(boolean gradientsFinite) {
        if (!gradientsFinite) {
            scale *= BACKOFF_FACTOR;
            growthTracker = 0;
            return true;
        }
        if (++growthTracker == GROWTH_INTERVAL) {
            double grown = scale * GROWTH_FACTOR;
            if (Double.isFinite((float) grown)) { // torch keeps the scale in float32 and never grows it to inf
                scale = grown;
            }
            growthTracker = 0;
        }
        return false;
    }

    /** Whether the scale has backed off so far that no scale can help any more. */
    boolean collapsed() {
        return scale < MIN_SCALE;
    }

    State state() {
        return new State(scale, growthTracker);
    }

    void restore(State state) {
        this.scale = state.scale();
        this.growthTracker = state.growthTracker();
    }
}
