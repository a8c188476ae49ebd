package io.finetune.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/** Dynamic padding: a batch is padded to its own longest sequence, never to a global maximum. */
public final class Batches {

    /** int64 input ids and attention mask [B, T], T = longest sequence in the batch. */
    public record Padded(NDArray inputIds, NDArray attentionMask, long realTokens) {}

    private Batches() {}

    public static Padded pad(NDManager manager, List<int[]> sequences, int padId) {
        int batch = sequences.size();
        int length = sequences.stream().mapToInt(s -> s.length).max()
                .orElseThrow(() -> new IllegalArgumentException("empty batch"));
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        java.util.Arrays.fill(ids, padId);
        long real = 0;
        for (int b = 0; b < batch; b++) {
            int[] seq = sequences.get(b);
            for (int t = 0; t < seq.length; t++) {
                ids[b * length + t] = seq[t];
                mask[b * length + t] = 1;
            }
            real += seq.length;
        }
        Shape shape = new Shape(batch, length);
        return new Padded(manager.create(ids, shape), manager.create(mask, shape), real);
    }
}
