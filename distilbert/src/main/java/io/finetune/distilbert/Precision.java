package io.finetune.distilbert;

/**
 * The arithmetic of the matrix products in training and inference. Master weights, optimizer state, LayerNorm,
 * softmax and the loss stay in float32 in every mode; see {@link Autocast}.
 */
public enum Precision {
    /** Everything in float32. */
    FP32(-1),
    /** bfloat16 matrix products under libtorch's autocast: Hugging Face's {@code bf16=True}. */
    BF16(15),
    /**
     * float16 matrix products under libtorch's autocast, with dynamic loss scaling ({@link LossScaler}): Hugging
     * Face's {@code fp16=True}. float16 has bfloat16's precision and more, but a range that small gradients fall out
     * of, hence the scaling.
     */
    FP16(5);

    /** c10::ScalarType code of the autocast type (stable across libtorch versions); -1 for none. */
    final byte scalarType;

    Precision(int scalarType) {
        this.scalarType = (byte) scalarType;
    }

    /**
     * Hugging Face's two flags ({@code bf16}, {@code fp16}; null is false). Like {@code TrainingArguments}, refuses
     * both at once.
     */
    public static Precision of(Boolean bf16, Boolean fp16) {
        boolean b = Boolean.TRUE.equals(bf16);
        boolean f = Boolean.TRUE.equals(fp16);
        if (b && f) {
            throw new IllegalArgumentException("bf16 and fp16 cannot both be true: pick one mixed precision");
        }
        return b ? BF16 : f ? FP16 : FP32;
    }

    /** Whether gradients need loss scaling to stay in range. */
    public boolean scalesLoss() {
        return this == FP16;
    }

    /** The Hugging Face flag's name ({@code bf16}, {@code fp16}), or {@code fp32}. */
    public String flag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The precision whose {@link #flag()} is {@code flag} (any case); an unknown one is refused, naming the known. */
    public static Precision ofFlag(String flag) {
        for (Precision p : values()) {
            if (p.flag().equalsIgnoreCase(flag)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown precision '" + flag + "': fp32, bf16 or fp16");
    }
}
