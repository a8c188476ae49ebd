package io.finetune.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Loss functions with PyTorch's semantics. */
public final class Losses {

    private Losses() {}

    /** Mean cross-entropy of logits [B, C] against integer labels [B], as {@code torch.nn.CrossEntropyLoss()}. */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray logProbabilities = logits.logSoftmax(-1);
        NDArray index = labels.toType(DataType.INT64, false).reshape(-1, 1);
        return logProbabilities.gather(index, 1).mean().neg();
    }

    /** Cross-entropy of one row of logits against {@code label}, computed in double. */
    public static double crossEntropy(float[] logits, int label) {
        return logSumExp(logits) - logits[label];
    }

    /** Class probabilities of one row of logits: exp(logit − log Σ exp(logits)), the cross-entropy's own softmax. */
    static float[] softmax(float[] logits) {
        double logSumExp = logSumExp(logits);
        float[] probabilities = new float[logits.length];
        for (int c = 0; c < logits.length; c++) {
            probabilities[c] = (float) Math.exp(logits[c] - logSumExp);
        }
        return probabilities;
    }

    /** log Σ exp(logits), in double and shifted by the maximum so that no exponential overflows. */
    static double logSumExp(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return max + Math.log(sum);
    }
}
