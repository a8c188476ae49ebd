package io.finetune.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Eval-mode inference (no dropout) in dynamically padded batches. Inputs are batched in order of length, so each
 * batch holds sequences of similar length and little compute goes to padding; results come back in input order.
 * Rows do not interact (padded keys get exactly zero attention), so the grouping does not change any result beyond
 * float rounding.
 */
public final class Predictor {

    private Predictor() {}

    /** Class probabilities (softmax of the logits), one row per input, in input order. */
    public static float[][] probabilities(EncoderClassifier model, List<int[]> inputIds, int batchSize) {
        return probabilities(model, inputIds, batchSize, Precision.FP32);
    }

    /** As {@link #probabilities(EncoderClassifier, List, int)}, with the matrix products in {@code precision}. */
    public static float[][] probabilities(EncoderClassifier model, List<int[]> inputIds, int batchSize,
                                          Precision precision) {
        return run(model, inputIds, batchSize, true, precision);
    }

    /** Raw logits, one row per input, in input order. */
    public static float[][] logits(EncoderClassifier model, List<int[]> inputIds, int batchSize) {
        return logits(model, inputIds, batchSize, Precision.FP32);
    }

    /** As {@link #logits(EncoderClassifier, List, int)}, with the matrix products in {@code precision}. */
    public static float[][] logits(EncoderClassifier model, List<int[]> inputIds, int batchSize, Precision precision) {
        return run(model, inputIds, batchSize, false, precision);
    }

    private static float[][] run(EncoderClassifier model, List<int[]> inputIds, int batchSize, boolean softmax,
                                 Precision precision) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0");
        }
        int labels = model.config().numLabels();
        int[] byLength = IntStream.range(0, inputIds.size()).boxed()
                .sorted(Comparator.comparingInt(i -> inputIds.get(i).length))
                .mapToInt(Integer::intValue).toArray();
        float[][] out = new float[inputIds.size()][];
        for (int start = 0; start < byLength.length; start += batchSize) {
            int end = Math.min(byLength.length, start + batchSize);
            List<int[]> chunk = new ArrayList<>(end - start);
            for (int i = start; i < end; i++) {
                chunk.add(inputIds.get(byLength[i]));
            }
            try (NDManager batch = model.newBatchManager()) {
                Batches.Padded padded = Batches.pad(batch, chunk, model.config().padTokenId());
                NDArray result;
                try (Autocast.Scope mixed = Autocast.enter(precision, model.device())) {
                    result = model.logits(padded.inputIds(), padded.attentionMask(), false);
                }
                if (softmax) {
                    result = result.softmax(-1);
                }
                float[] flat = result.toFloatArray();
                for (int i = 0; i < chunk.size(); i++) {
                    float[] row = new float[labels];
                    System.arraycopy(flat, i * labels, row, 0, labels);
                    out[byLength[start + i]] = row;
                }
            }
        }
        return out;
    }
}
