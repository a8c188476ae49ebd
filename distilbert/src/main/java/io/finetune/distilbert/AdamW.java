package io.finetune.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code torch.optim.AdamW} (betas 0.9/0.999, eps 1e-8, no amsgrad) applied in place to the parameters' gradients:
 * <pre>
 *   p ← p·(1 − lr·wd)                          decoupled weight decay (skipped for biases and LayerNorm weights)
 *   m ← β1·m + (1 − β1)·g ;  v ← β2·v + (1 − β2)·g²
 *   p ← p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + eps)
 * </pre>
 * {@link #step} consumes the gradients (see there). Must be called outside a {@code GradientCollector}, where
 * PyTorch's grad mode is off, so the in-place updates of leaf tensors are not recorded.
 */
public final class AdamW implements AutoCloseable {

    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPS = 1e-8;

    private record State(NDArray parameter, boolean decay, NDArray m, NDArray v) {}

    private final NDManager manager;
    private final Map<String, State> states = new LinkedHashMap<>();
    private final double weightDecay;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private long step;

    /**
     * @param parameters the trainable parameters by Hugging Face name
     * @param manager where the moment estimates live (on the parameters' device); closed with the optimizer
     */
    public AdamW(Map<String, NDArray> parameters, double weightDecay, NDManager manager) {
        this(parameters, weightDecay, BETA1, BETA2, EPS, manager);
    }

    /** With Hugging Face's {@code adam_beta1}, {@code adam_beta2} and {@code adam_epsilon}. */
    public AdamW(Map<String, NDArray> parameters, double weightDecay, double beta1, double beta2, double eps,
                 NDManager manager) {
        this.manager = manager;
        this.weightDecay = weightDecay;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        parameters.forEach((name, p) -> states.put(name, new State(p, decays(name),
                manager.zeros(p.getShape(), p.getDataType()), manager.zeros(p.getShape(), p.getDataType()))));
    }

    /** Hugging Face's Trainer applies no weight decay to biases and LayerNorm weights. */
    public static boolean decays(String name) {
        return !(name.endsWith("bias") || name.contains("LayerNorm") || name.contains("layer_norm"));
    }

    /**
     * One update with learning rate {@code lr} from the parameters' current gradients, which it overwrites: the
     * caller zeroes them next anyway, and using each gradient as scratch space leaves two parameter-sized
     * temporaries per parameter (r and m / r), as many as torch's own loop makes, each freed before the next
     * parameter so the allocator can reuse it. Temporaries, more than arithmetic, set this method's time: one of
     * the word embeddings' size (94 MB for distilbert-base) is a fresh mmap whose pages all fault in on first touch.
     * <pre>
     *   m ← g + β1·(m − g)                           = β1·m + (1 − β1)·g, without a temporary
     *   v ← β2·v + g·g·(1 − β2)                      g·g computed in the gradient's buffer
     *   r ← (√v + eps·√(1 − β2^t)) / (stepSize·√(1 − β2^t))
     *   p ← p − m / r                                = p − stepSize · m / (√v / √(1 − β2^t) + eps)
     * </pre>
     * The rearrangements change rounding only (relative 1e-7), not torch's formula: eps stays outside the root.
     */
    public void step(double lr) {
        step++;
        double bias1 = 1 - Math.pow(beta1, step);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr / bias1;
        // The step's scalars as tensors, made once: muli(double) would make, use and free a 0-dim float64 tensor per
        // call, three JNI calls where one will do. These are those same tensors, so every result is bit for bit the
        // same; for the tiny model this takes a third off the optimizer's time.
        try (NDManager scalars = manager.newSubManager()) {
            NDArray decayFactor = scalars.create(1 - lr * weightDecay);
            NDArray beta1 = scalars.create(this.beta1);
            NDArray beta2 = scalars.create(this.beta2);
            NDArray oneMinusBeta2 = scalars.create(1 - this.beta2);
            NDArray epsTerm = scalars.create(eps * bias2Sqrt);
            NDArray divisor = scalars.create(stepSize * bias2Sqrt);
            for (State s : states.values()) {
                try (NDArray g = s.parameter().getGradient()) {
                    if (s.decay() && weightDecay != 0) {
                        s.parameter().muli(decayFactor);
                    }
                    s.m().subi(g).muli(beta1).addi(g);
                    s.v().muli(beta2).addi(g.muli(g).muli(oneMinusBeta2));
                    try (NDArray r = s.v().sqrt().addi(epsTerm).divi(divisor);
                         NDArray update = s.m().div(r)) {
                        s.parameter().subi(update);
                    }
                }
            }
        }
    }

    /** The parameter's gradient, wrapped in {@code scratch} so the wrapper is freed with it. */
    static NDArray gradient(NDArray parameter, NDManager scratch) {
        return attach(parameter.getGradient(), scratch);
    }

    /** Clears the accumulated gradients of every parameter. */
    public void zeroGradients() {
        for (State s : states.values()) {
            JniUtils.zeroGrad((PtNDArray) s.parameter());
        }
    }

    private static NDArray attach(NDArray array, NDManager manager) {
        array.attach(manager);
        return array;
    }

    public long steps() {
        return step;
    }

    /** The moment estimates as {@code m.<name>} and {@code v.<name>}, for a resumable state. Live arrays. */
    public Map<String, NDArray> moments() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        states.forEach((name, s) -> {
            out.put("m." + name, s.m());
            out.put("v." + name, s.v());
        });
        return out;
    }

    /**
     * Continues from moments saved by {@link #moments()} after {@code steps} updates, so the next update is exactly
     * the one the saved run would have made. The arrays are taken over (attached to this optimizer's manager).
     */
    public void restore(Map<String, NDArray> moments, long steps) {
        Map<String, State> restored = new LinkedHashMap<>();
        states.forEach((name, s) -> {
            NDArray m = moments.get("m." + name);
            NDArray v = moments.get("v." + name);
            if (m == null || v == null || !m.getShape().equals(s.m().getShape())
                    || !v.getShape().equals(s.v().getShape())) {
                throw new IllegalArgumentException("saved optimizer state has no moments of shape "
                        + s.m().getShape() + " for " + name);
            }
            m.attach(manager);
            v.attach(manager);
            restored.put(name, new State(s.parameter(), s.decay(), m, v));
        });
        states.values().forEach(s -> {
            s.m().close();
            s.v().close();
        });
        states.putAll(restored);
        this.step = steps;
    }

    @Override
    public void close() {
        manager.close();
    }
}
