package io.finetune.distilbert;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Fine-tunes a {@link DistilBertClassifier} the way Hugging Face's {@code Trainer} does: AdamW, linear warmup and
 * decay, global-norm gradient clipping, gradient accumulation, per-epoch evaluation, early stopping on validation loss
 * and best-weights restore.
 *
 * <p>Every array of a batch lives in a per-batch manager closed at the end of the batch. DJL's PyTorch engine allows
 * one {@code GradientCollector} at a time per JVM, so only one training runs at a time.
 */
public final class FineTuner {

    private final TrainingConfig config;

    public FineTuner(TrainingConfig config) {
        this.config = config;
    }

    public TrainingResult train(DistilBertClassifier model, List<Example> train, List<Example> validation,
                                TrainingListener listener) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("No training examples");
        }
        TrainingListener events = listener == null ? TrainingListener.NONE : listener;
        List<int[]> trainIds = inputs(model, train);
        List<int[]> validationIds = validation == null ? List.of() : inputs(model, validation);
        long start = System.nanoTime();
        Engine.getInstance().setRandomSeed((int) config.seed()); // seeds dropout

        Map<String, NDArray> trainable = trainableParameters(model);
        int batchesPerEpoch = (train.size() + config.batchSize() - 1) / config.batchSize();
        int updatesPerEpoch = (batchesPerEpoch + config.gradientAccumulationSteps() - 1)
                / config.gradientAccumulationSteps();
        long totalSteps = (long) updatesPerEpoch * config.epochs();
        LinearSchedule schedule = LinearSchedule.of(config.learningRate(), config.warmupRatio(), totalSteps);

        List<EpochResult> history = new ArrayList<>();
        EpochResult best = null;
        boolean cancelled = false;
        boolean stoppedEarly = false;
        int epochsWithoutImprovement = 0;
        long step = 0;
        long tokens = 0;
        try (AdamW optimizer = new AdamW(trainable, config.weightDecay(), model.newBatchManager());
             Snapshot bestWeights = new Snapshot(model)) {
            optimizer.zeroGradients();
            for (int epoch = 1; epoch <= config.epochs() && !cancelled; epoch++) {
                List<Integer> order = new ArrayList<>(IntStream.range(0, train.size()).boxed().toList());
                Collections.shuffle(order, new Random(config.seed() + epoch - 1));
                double epochLossSum = 0;
                int epochBatches = 0;
                for (int b = 0; b < batchesPerEpoch; b += config.gradientAccumulationSteps()) {
                    if (events.isCancelled()) {
                        cancelled = true;
                        break;
                    }
                    int group = Math.min(config.gradientAccumulationSteps(), batchesPerEpoch - b);
                    double groupLoss = 0;
                    for (int micro = 0; micro < group; micro++) {
                        int from = (b + micro) * config.batchSize();
                        List<int[]> ids = new ArrayList<>();
                        List<Integer> labels = new ArrayList<>();
                        for (int i = from; i < Math.min(train.size(), from + config.batchSize()); i++) {
                            ids.add(trainIds.get(order.get(i)));
                            labels.add(train.get(order.get(i)).label());
                        }
                        double loss = backward(model, ids, labels, 1.0 / group);
                        groupLoss += loss / group;
                        tokens += ids.stream().mapToLong(a -> a.length).sum();
                        epochLossSum += loss;
                        epochBatches++;
                    }
                    double lr = schedule.learningRate(step);
                    clipGradients(trainable, config.maxGradNorm(), model);
                    optimizer.step(lr);
                    optimizer.zeroGradients();
                    step++;
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    events.onStep(new StepProgress(step, totalSteps, epoch, groupLoss, lr, tokens / elapsed,
                            elapsed / step * (totalSteps - step)));
                }
                if (cancelled) {
                    break;
                }
                EpochResult result = evaluateEpoch(model, epoch, step, epochLossSum / epochBatches,
                        validation, validationIds);
                history.add(result);
                events.onEpochEnd(result);
                if (validationIds.isEmpty()) {
                    best = result;
                } else if (best == null || result.validationLoss() < best.validationLoss()) {
                    best = result;
                    bestWeights.capture();
                    epochsWithoutImprovement = 0;
                } else if (config.earlyStoppingPatience() > 0
                        && ++epochsWithoutImprovement >= config.earlyStoppingPatience()) {
                    stoppedEarly = true;
                    break;
                }
            }
            if (!validationIds.isEmpty() && bestWeights.captured()) {
                bestWeights.restore();
            }
        } finally {
            trainable.values().forEach(p -> p.setRequiresGradient(true));
        }
        EpochResult last = history.isEmpty() ? null : history.get(history.size() - 1);
        return new TrainingResult(history, last, best, step, stoppedEarly, cancelled,
                (System.nanoTime() - start) / 1e9);
    }

    /** Forward and backward of one micro-batch; the loss is scaled by {@code scale} before backward. */
    private static double backward(DistilBertClassifier model, List<int[]> ids, List<Integer> labels, double scale) {
        try (NDManager batch = model.newBatchManager()) {
            Batches.Padded padded = Batches.pad(batch, ids, model.config().padTokenId());
            NDArray target = batch.create(labels.stream().mapToLong(Integer::longValue).toArray());
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.logits(padded.inputIds(), padded.attentionMask(), true);
                NDArray loss = Losses.crossEntropy(logits, target);
                collector.backward(loss.mul(scale));
                return loss.getFloat();
            }
        }
    }

    /** {@code torch.nn.utils.clip_grad_norm_}: scale all gradients by min(1, max / (‖g‖₂ + 1e-6)). */
    static double clipGradients(Map<String, NDArray> parameters, double maxNorm, DistilBertClassifier model) {
        try (NDManager scratch = model.newBatchManager()) {
            List<NDArray> grads = new ArrayList<>();
            double squares = 0;
            for (NDArray p : parameters.values()) {
                NDArray g = AdamW.gradient(p, scratch);
                grads.add(g);
                NDArray s = g.square().sum();
                squares += s.getFloat();
            }
            double norm = Math.sqrt(squares);
            if (maxNorm > 0) {
                double coefficient = Math.min(1.0, maxNorm / (norm + 1e-6));
                if (coefficient < 1.0) {
                    grads.forEach(g -> g.muli(coefficient));
                }
            }
            return norm;
        }
    }

    private EpochResult evaluateEpoch(DistilBertClassifier model, int epoch, long step, double trainLoss,
                                      List<Example> validation, List<int[]> validationIds) {
        if (validationIds.isEmpty()) {
            return new EpochResult(epoch, step, trainLoss, Double.NaN, Double.NaN);
        }
        float[][] logits = Predictor.logits(model, validationIds, config.batchSize());
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < logits.length; i++) {
            int label = validation.get(i).label();
            loss += Losses.crossEntropy(logits[i], label);
            if (argmax(logits[i]) == label) {
                correct++;
            }
        }
        return new EpochResult(epoch, step, trainLoss, loss / logits.length, (double) correct / logits.length);
    }

    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Input ids truncated to maxLength (keeping the final [SEP]) and checked against the model. */
    private List<int[]> inputs(DistilBertClassifier model, List<Example> examples) {
        DistilBertConfig c = model.config();
        int limit = Math.min(config.maxLength(), c.maxPositionEmbeddings());
        List<int[]> out = new ArrayList<>(examples.size());
        for (Example e : examples) {
            if (e.label() >= c.numLabels()) {
                throw new IllegalArgumentException("Label id " + e.label() + " is out of range for " + c.labels());
            }
            int[] ids = e.inputIds();
            if (ids.length > limit) {
                int[] cut = java.util.Arrays.copyOf(ids, limit);
                cut[limit - 1] = ids[ids.length - 1];
                ids = cut;
            }
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
    private Map<String, NDArray> trainableParameters(DistilBertClassifier model) {
        Map<String, NDArray> trainable = new LinkedHashMap<>();
        model.parameters().forEach((name, p) -> {
            boolean frozen = (config.freezeEmbeddings() && name.startsWith(DistilBertClassifier.PREFIX + "embeddings."))
                    || frozenLayer(name);
            p.setRequiresGradient(!frozen);
            if (!frozen) {
                trainable.put(name, p);
            }
        });
        return trainable;
    }

    private boolean frozenLayer(String name) {
        String prefix = DistilBertClassifier.PREFIX + "transformer.layer.";
        if (!name.startsWith(prefix)) {
            return false;
        }
        int layer = Integer.parseInt(name.substring(prefix.length(), name.indexOf('.', prefix.length())));
        return layer < config.freezeLayers();
    }

    /** A copy of the weights (on the model's device) for restoring the best epoch. */
    private static final class Snapshot implements AutoCloseable {
        private final DistilBertClassifier model;
        private final NDManager manager;
        private final Map<String, NDArray> copies = new LinkedHashMap<>();

        Snapshot(DistilBertClassifier model) {
            this.model = model;
            this.manager = model.newBatchManager();
        }

        void capture() {
            copies.values().forEach(NDArray::close);
            copies.clear();
            model.parameters().forEach((name, p) -> {
                NDArray copy = p.duplicate();
                copy.attach(manager);
                copies.put(name, copy);
            });
        }

        boolean captured() {
            return !copies.isEmpty();
        }

        void restore() {
            model.parameters().forEach((name, p) -> p.muli(0).addi(copies.get(name)));
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
