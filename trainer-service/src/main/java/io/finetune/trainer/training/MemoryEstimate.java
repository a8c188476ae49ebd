package io.finetune.trainer.training;

import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.TrainingConfig;

/**
 * How much memory a job needs on its device while it trains, in bytes: an estimate made before it starts, so that a
 * batch that cannot fit is refused with the numbers instead of killing the trainer (and, restarted, killing it again).
 *
 * <p>The estimate is an upper bound of the steady state of a training step in float32 (mixed precision keeps float32
 * weights and optimizer state too, and its half-precision activations are ignored in its favour):
 * <ul>
 *   <li><b>weights</b>: 4 bytes a parameter, every parameter;</li>
 *   <li><b>gradients</b> and <b>AdamW's two moments</b>: 4 + 8 bytes a trainable parameter (frozen embeddings and
 *   layers have neither);</li>
 *   <li><b>activations</b> kept for the backward pass, per layer, for batch b, length s, hidden size h, feed-forward
 *   size f and a heads, counting what PyTorch saves for each operation's backward (float32, 4 bytes; dropout masks
 *   1 byte), after Korthikanti et al., "Reducing Activation Recomputation in Large Transformer Models" (2022), §4.1,
 *   which counts the same tensors in 16 bits:
 *   <ul>
 *     <li>attention: the Q/K/V projections' input 4bsh, Q and K 8bsh, V 4bsh, the softmax output 4as²b, its dropout
 *     mask as²b and output 4as²b, the output projection's input 4bsh, the dropout mask after it bsh: 21bsh + 9as²b;</li>
 *     <li>feed-forward: the first linear's input 4bsh, GELU's input 4bsf, the second linear's input (GELU's output)
 *     4bsf, the dropout mask bsh: 5bsh + 8bsf;</li>
 *     <li>two layer norms' inputs: 8bsh;</li>
 *   </ul>
 *   that is bs(34h + 8f) + 9as²b a layer: for DistilBERT's f = 4h, 66 bytes per token per hidden unit per layer,
 *   plus the attention matrices that grow with s²;</li>
 *   <li>times {@link #ALLOCATOR_FACTOR} for what the count leaves out (temporaries of the backward pass alive at
 *   its peak, the allocator's rounding and caching), measured;</li>
 *   <li>plus {@link #RUNTIME_BYTES} for libtorch itself (its code, thread pools and kernels), measured.</li>
 * </ul>
 * Validation runs without gradients, a layer's activations at a time, and is smaller than a training step for any
 * validation batch up to a few times the training batch; it is not counted.
 *
 * <p>Calibration (CPU, DJL 0.36 / libtorch, one PyTorch thread, {@code MemoryEstimateCalibration} in the tests,
 * 2026-12-06): the peak resident memory two training steps added to a process holding the model, against the count
 * above, for the small scratch shape (h=256, f=1024, 4 layers, 4 heads): see {@link #ALLOCATOR_FACTOR}. On a GPU the
 * same tensors are allocated by the CUDA caching allocator; the factor is not measured there.
 */
public record MemoryEstimate(long weights, long gradients, long optimizer, long activations, long runtime) {
    /**
     * Measured peak over the counted activations (calibration above; gradients and moments, 41 MiB, taken off
     * first): 2.18 at batch 16 x length 128 (407 MiB added, 168 MiB counted), 2.25 at 64 x 128 (1,554 MiB added,
     * 672 MiB counted), 2.12 at 32 x 256 (1,770 MiB added, 816 MiB counted). Rounded up. What the count misses is
     * PyTorch's: the attention scores before the softmax and their masked copy, GELU's erf intermediate, the
     * backward's temporaries of the same sizes, the allocator's rounding.
     */
    static final double ALLOCATOR_FACTOR = 2.3;
    /**
     * libtorch and the JVM beside the heap (code, metaspace, threads): the calibration's process held 260-270 MiB
     * resident with the model loaded and before any step, its heap included; rounded up.
     */
    static final long RUNTIME_BYTES = 512L << 20;

    public static MemoryEstimate of(EncoderConfig model, TrainingConfig settings) {
        long parameters = parameters(model);
        long trainable = parameters - frozen(model, settings);
        long b = settings.batchSize();
        long s = settings.maxLength();
        long h = model.dim();
        long f = model.hiddenDim();
        long a = model.nHeads();
        long perLayer = b * s * (34 * h + 8 * f) + 9 * a * s * s * b;
        long activations = (long) Math.ceil(perLayer * model.nLayers() * ALLOCATOR_FACTOR);
        return new MemoryEstimate(4 * parameters, 4 * trainable, 8 * trainable, activations, RUNTIME_BYTES);
    }

    public long total() {
        return weights + gradients + optimizer + activations + runtime;
    }

    /** Every weight and bias of the encoder and its classification head. */
    static long parameters(EncoderConfig c) {
        long h = c.dim();
        return embeddings(c) + (long) c.nLayers() * layer(c)
                + h * h + h // pre-classifier (DistilBERT) or pooler (BERT)
                + h * c.numLabels() + c.numLabels();
    }

    /** Word, position and token type embeddings and their layer norm. */
    static long embeddings(EncoderConfig c) {
        long h = c.dim();
        return ((long) c.vocabSize() + c.maxPositionEmbeddings() + c.typeVocabSize()) * h + 2 * h;
    }

    /** Q, K, V and output projections, the two feed-forward linears, two layer norms. */
    static long layer(EncoderConfig c) {
        long h = c.dim();
        long f = c.hiddenDim();
        return 4 * (h * h + h) + (h * f + f) + (f * h + h) + 2 * 2 * h;
    }

    private static long frozen(EncoderConfig c, TrainingConfig settings) {
        return (settings.freezeEmbeddings() ? embeddings(c) : 0)
                + (long) Math.min(settings.freezeLayers(), c.nLayers()) * layer(c);
    }

    /** "1.9 GiB", "310 MiB". */
    public static String describe(long bytes) {
        double mib = bytes / (double) (1L << 20);
        return mib >= 1024 ? String.format("%.1f GiB", mib / 1024) : String.format("%.0f MiB", Math.ceil(mib));
    }

    /** "2.4 GiB (weights 256 MiB, gradients 256 MiB, AdamW moments 511 MiB, activations 1.0 GiB, libtorch 512 MiB)". */
    public String describe() {
        return describe(total()) + " (weights " + describe(weights) + ", gradients " + describe(gradients)
                + ", AdamW moments " + describe(optimizer) + ", activations " + describe(activations) + ", libtorch "
                + describe(runtime) + ")";
    }
}
