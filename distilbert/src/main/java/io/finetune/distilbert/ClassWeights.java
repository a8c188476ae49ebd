package io.finetune.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.List;

/**
 * Cross-entropy with optional per-class weights and label smoothing, as
 * {@code torch.nn.CrossEntropyLoss(weight=w, label_smoothing=ε)}: each example's loss is scaled by its label's weight
 * and the sum is divided by the sum of those weights; with smoothing, (1 − ε) of it is that loss and ε/C the
 * (weighted) sum over all classes of −log p, normalised the same way. Rare classes given a larger weight count as
 * much as frequent ones on imbalanced data.
 */
final class ClassWeights {
    private final float[] weights;
    private final int numLabels;
    private final double smoothing;

    /** @param weights one per label, null for plain cross-entropy */
    ClassWeights(List<Double> weights, int numLabels) {
        this(weights, numLabels, 0.0);
    }

    /** @param smoothing label smoothing's ε, 0 for none */
    ClassWeights(List<Double> weights, int numLabels, double smoothing) {
        if (weights != null && weights.size() != numLabels) {
            throw new IllegalArgumentException("classWeights has " + weights.size() + " weights but the model has "
                    + numLabels + " labels");
        }
        this.weights = weights == null ? null : toFloats(weights);
        this.numLabels = numLabels;
        this.smoothing = smoothing;
    }

    /** Mean (weighted) loss of logits [B, C] against {@code labels}, on the logits' device. */
    NDArray loss(NDManager manager, NDArray logits, int[] labels) {
        long[] ids = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            ids[i] = labels[i];
        }
        NDArray target = manager.create(ids);
        if (smoothing > 0) {
            return smoothed(manager, logits, target, labels);
        }
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

    /** torch's formula with {@code label_smoothing}: (1 − ε)·NLL + ε/C·Σ_c w_c·(−log p_c), both over Σ w_y. */
    private NDArray smoothed(NDManager manager, NDArray logits, NDArray target, int[] labels) {
        NDArray logProbabilities = logits.logSoftmax(-1);
        NDArray picked = logProbabilities.gather(target.toType(DataType.INT64, false).reshape(-1, 1), 1).reshape(-1);
        float[] perExample = new float[labels.length];
        float total = 0;
        for (int i = 0; i < labels.length; i++) {
            perExample[i] = (float) of(labels[i]);
            total += perExample[i];
        }
        NDArray classWeights = weights == null ? manager.ones(new ai.djl.ndarray.types.Shape(1, numLabels))
                : manager.create(weights).reshape(1, numLabels);
        NDArray denominator = manager.create(total);
        NDArray nll = picked.mul(manager.create(perExample)).sum().neg().div(denominator);
        NDArray all = logProbabilities.mul(classWeights).sum().neg().div(denominator);
        return nll.mul(manager.create((float) (1 - smoothing))).add(all.mul(manager.create((float) (smoothing
                / numLabels))));
    }

    /** One example's loss times its weight (summed over examples, divided by the weights' sum: the mean loss). */
    double weightedLoss(float[] logits, int label) {
        double w = of(label);
        double logSumExp = Losses.logSumExp(logits);
        double nll = logSumExp - logits[label]; // Losses.crossEntropy
        if (smoothing == 0) {
            return w * nll;
        }
        double all = 0;
        for (int c = 0; c < logits.length; c++) {
            all += (weights == null ? 1.0 : weights[c]) * (logSumExp - logits[c]);
        }
        return (1 - smoothing) * w * nll + smoothing / numLabels * all;
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
