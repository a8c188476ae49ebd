package io.finetune.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;

/** Eval-mode inference (no dropout) in dynamically padded batches. */
public final class Predictor {

    private Predictor() {}

    /** Class probabilities (softmax of the logits), one row per input, in input order. */
    public static float[][] probabilities(DistilBertClassifier model, List<int[]> inputIds, int batchSize) {
        return run(model, inputIds, batchSize, true);
    }

    /** Raw logits, one row per input, in input order. */
    public static float[][] logits(DistilBertClassifier model, List<int[]> inputIds, int batchSize) {
        return run(model, inputIds, batchSize, false);
    }

    private static float[][] run(DistilBertClassifier model, List<int[]> inputIds, int batchSize, boolean softmax) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0");
        }
        int labels = model.config().numLabels();
        float[][] out = new float[inputIds.size()][];
        for (int start = 0; start < inputIds.size(); start += batchSize) {
            List<int[]> chunk = new ArrayList<>(inputIds.subList(start, Math.min(inputIds.size(), start + batchSize)));
            try (NDManager batch = model.newBatchManager()) {
                Batches.Padded padded = Batches.pad(batch, chunk, model.config().padTokenId());
                NDArray result = model.logits(padded.inputIds(), padded.attentionMask(), false);
                if (softmax) {
                    result = result.softmax(-1);
                }
                float[] flat = result.toFloatArray();
                for (int i = 0; i < chunk.size(); i++) {
                    float[] row = new float[labels];
                    System.arraycopy(flat, i * labels, row, 0, labels);
                    out[start + i] = row;
                }
            }
        }
        return out;
    }
}
