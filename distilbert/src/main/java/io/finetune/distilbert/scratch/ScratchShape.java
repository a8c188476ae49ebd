package io.finetune.distilbert.scratch;

import java.util.Arrays;
import java.util.Locale;

/** Sizes of a DistilBERT trained from scratch; the vocabulary size comes from the dataset's own tokenizer. */
public enum ScratchShape {
    /** Seconds per epoch on a CPU: for tests and demos. */
    TINY(32, 64, 2, 4),
    /** A model a CPU trains in minutes on tens of thousands of reviews. */
    SMALL(256, 1024, 4, 4),
    /** The dimensions of distilbert-base-uncased (66M parameters with a 30k vocabulary). */
    BASE(768, 3072, 6, 12);

    private final int dim;
    private final int hiddenDim;
    private final int layers;
    private final int heads;

    ScratchShape(int dim, int hiddenDim, int layers, int heads) {
        this.dim = dim;
        this.hiddenDim = hiddenDim;
        this.layers = layers;
        this.heads = heads;
    }

    public int dim() {
        return dim;
    }

    public int hiddenDim() {
        return hiddenDim;
    }

    public int layers() {
        return layers;
    }

    public int heads() {
        return heads;
    }

    /** {@code tiny}, {@code small} or {@code base}, in any case. */
    public static ScratchShape parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown model shape '" + name + "': expected one of "
                    + Arrays.toString(values()).toLowerCase(Locale.ROOT));
        }
    }
}
