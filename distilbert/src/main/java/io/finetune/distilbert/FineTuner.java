package io.finetune.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fine-tunes a {@link EncoderClassifier} the way Hugging Face's {@code Trainer} does: AdamW, linear warmup and
 * decay, global-norm gradient clipping, gradient accumulation, evaluation per epoch, every N steps or only after the
 * last step, early stopping and best-weights restore on the chosen metric (or the last weights kept), optional class
 * weights and length-grouped batches, a clear error when the loss diverges, and exact resumption from saved states
 * ({@link TrainingLoop} holds the loop itself).
 *
 * <p>Every array of a batch lives in a per-batch manager closed at the end of the batch. DJL's PyTorch engine allows
 * one {@code GradientCollector} at a time per JVM, so only one training runs at a time.
 */
public final class FineTuner {

    private final TrainingConfig config;

    public FineTuner(TrainingConfig config) {
        this.config = config;
    }

    public TrainingResult train(EncoderClassifier model, List<Example> train, List<Example> validation,
                                TrainingListener listener) {
        return train(model, train, validation, listener, null);
    }

    /**
     * As {@link #train(EncoderClassifier, List, List, TrainingListener)}, saving resumable states in
     * {@code states} (every {@code saveStateEverySteps} steps and at each epoch end) and continuing from the newest
     * one there, if any, instead of from step 0. The model must be loaded as for the first attempt (same base
     * weights, labels and device); the state overwrites its weights.
     *
     * @param states null to train without saving states
     * @throws TrainingDivergedException when the loss becomes NaN or infinite
     */
    public TrainingResult train(EncoderClassifier model, List<Example> train, List<Example> validation,
                                TrainingListener listener, StateStore states) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("No training examples");
        }
        List<Example> checked = validation == null ? List.of() : validation;
        List<int[]> validationIds = inputs(model, checked);
        if (!checked.isEmpty()) {
            checkMetricIsDefined(model.config().labels(), labels(checked));
        }
        Map<String, NDArray> trainable = trainableParameters(model);
        // TF32 is a switch of the whole process, as in PyTorch; one training runs at a time, so it is set for this
        // one and put back after it.
        boolean tf32Before = config.tf32() && Tf32.enabled();
        if (config.tf32()) {
            Tf32.set(true);
        }
        try {
            return new TrainingLoop(config, model, inputs(model, train), labels(train), validationIds,
                    labels(checked), trainable, listener == null ? TrainingListener.NONE : listener, states).run();
        } finally {
            trainable.values().forEach(p -> p.setRequiresGradient(true));
            if (config.tf32()) {
                Tf32.set(tf32Before);
            }
        }
    }

    /**
     * The areas under curves rank examples by the second label's probability: they exist for two labels only, and
     * are undefined on a validation split without that label (both) or without the first (ROC). Every evaluation
     * would score NaN and none could be chosen over another.
     */
    private void checkMetricIsDefined(List<String> labels, int[] validationLabels) {
        TrainingConfig.BestModelMetric metric = config.metricForBestModel();
        if (!metric.twoClassesOnly()) {
            return;
        }
        String refused = "metricForBestModel '" + metric.key() + "' ";
        if (labels.size() != 2) {
            throw new IllegalArgumentException(refused + "is defined for two labels only, the model has "
                    + labels.size() + ": choose another metric, such as macro_f1");
        }
        boolean[] present = new boolean[2];
        for (int label : validationLabels) {
            present[label] = true;
        }
        int missing = !present[1] ? 1 : metric == TrainingConfig.BestModelMetric.ROC_AUC && !present[0] ? 0 : -1;
        if (missing >= 0) {
            throw new IllegalArgumentException(refused + "is undefined on a validation split without '"
                    + labels.get(missing) + "' examples: add some to it, or choose another metric");
        }
    }

    private static int[] labels(List<Example> examples) {
        return examples.stream().mapToInt(Example::label).toArray();
    }

    /**
     * {@code torch.nn.utils.clip_grad_norm_}: scale all gradients by min(1, max / (‖g‖₂ + 1e-6)). Like torch, it
     * takes each gradient's norm natively and the norm of those norms, so nothing of a gradient's size is allocated
     * and only the total is read back: squaring every gradient into a temporary and reading its sum took 3× torch's
     * time (0.06 s a step for distilbert-base).
     */
    static double clipGradients(Map<String, NDArray> parameters, double maxNorm, EncoderClassifier model) {
        try (NDManager scratch = model.newBatchManager()) {
            List<NDArray> grads = new ArrayList<>();
            NDList norms = new NDList(parameters.size());
            for (NDArray p : parameters.values()) {
                NDArray g = AdamW.gradient(p, scratch);
                grads.add(g);
                norms.add(g.norm());
            }
            double norm = NDArrays.stack(norms).norm().getFloat();
            if (maxNorm > 0) {
                double coefficient = Math.min(1.0, maxNorm / (norm + 1e-6));
                if (coefficient < 1.0) {
                    // One tensor for all: muli(double) would make and free the same 0-dim tensor per parameter.
                    NDArray scale = scratch.create(coefficient);
                    grads.forEach(g -> g.muli(scale));
                }
            }
            return norm;
        }
    }

    /** Input ids truncated to maxLength (keeping the final [SEP]) and checked against the model. */
    private List<int[]> inputs(EncoderClassifier model, List<Example> examples) {
        EncoderConfig c = model.config();
        int limit = Math.min(config.maxLength(), c.maxPositionEmbeddings());
        List<int[]> out = new ArrayList<>(examples.size());
        for (Example e : examples) {
            if (e.label() >= c.numLabels()) {
                throw new IllegalArgumentException("Label id " + e.label() + " is out of range for " + c.labels());
            }
            int[] ids = Truncation.toLength(e.inputIds(), limit);
            for (int id : ids) {
                if (id < 0 || id >= c.vocabSize()) {
                    throw new IllegalArgumentException("Token id " + id + " is outside the vocabulary of " + c.vocabSize());
                }
            }
            out.add(ids);
        }
        return out;
    }

    /** Trainable parameters after freezing; frozen ones stop requiring gradients for the duration of training. */
    private Map<String, NDArray> trainableParameters(EncoderClassifier model) {
        Map<String, NDArray> trainable = new LinkedHashMap<>();
        model.parameters().forEach((name, p) -> {
            CheckpointLayout layout = model.config().layout();
            int layer = layout.layerOf(name, model.config().nLayers());
            boolean frozen = (config.freezeEmbeddings() && name.startsWith(layout.embeddingsPrefix()))
                    || (layer >= 0 && layer < config.freezeLayers());
            p.setRequiresGradient(!frozen);
            if (!frozen) {
                trainable.put(name, p);
            }
        });
        return trainable;
    }
}
