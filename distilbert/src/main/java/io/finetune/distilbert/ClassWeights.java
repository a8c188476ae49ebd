package io.finetune.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.List;

/**
 * Cross-entropy with optional per-class weights, as {@code torch.nn.CrossEntropyLoss(weight=w)}: each example's
 * loss is scaled by its label's weight and the sum is divided by the sum of those weights. Rare classes given a
 * larger weight count as much as frequent ones on imbalanced data.
 */
final class ClassWeights {
    private final float[] weights;

    /** @param weights one per label, null for plain cross-entropy */
    ClassWeights(List<Double> weights, int numLabels) {
        if (weights != null && weights.size() != numLabels) {
            throw new IllegalArgumentException("classWeights has " + weights.size() + " weights but the model has "
                    + numLabels + " labels");
        }
        this.weights = weights == null ? null : toFloats(weights);
    }

    /** Mean (weighted) loss of logits [B, C] against {@code labels}, on the logits' device. */
    NDArray loss(NDManager manager, NDArray logits, int[] labels) {
        long[] ids = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            ids[i] = labels[i];
        }
        NDArray target = manager.create(ids);
        if (weights == null) {
            return Losses.crossEntropy(logits, target);
        }
        float[] perExample = new float[labels.length];
        float total = 0;
        for (int i = 0; i < labels.length; i++) {
            perExample[i] = weights[labels[i]];
            total += perExample[i];
        }
        NDArray picked = logits.logSoftmax(-1).gather(target.toType(DataType.INT64, false).reshape(-1, 1), 1)
                .reshape(-1);
        // Every operand an array of the batch's manager, none a Java number: see GarbageCollectionTest.
        return picked.mul(manager.create(perExample)).sum().neg().div(manager.create(total));
    }

    /** The weight of one example of class {@code label} in a mean over examples. */
    double of(int label) {
        return weights == null ? 1.0 : weights[label];
    }

    private static float[] toFloats(List<Double> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).floatValue();
        }
        return out;
    }
}
