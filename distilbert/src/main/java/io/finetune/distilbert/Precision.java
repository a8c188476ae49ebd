package io.finetune.distilbert;

/**
 * The arithmetic of the matrix products in training and inference. Master weights, optimizer state, LayerNorm,
 * softmax and the loss stay in float32 either way; see {@link Autocast}.
 */
public enum Precision {
    /** Everything in float32. */
    FP32,
    /** bfloat16 matrix products under libtorch's autocast: Hugging Face's {@code bf16=True}. */
    BF16;

    /** Hugging Face's flag: {@code bf16=True} is {@link #BF16}, anything else {@link #FP32}. */
    public static Precision ofBf16(Boolean bf16) {
        return Boolean.TRUE.equals(bf16) ? BF16 : FP32;
    }
}
