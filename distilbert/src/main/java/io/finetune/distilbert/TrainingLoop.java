package io.finetune.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.finetune.distilbert.metrics.ClassificationMetrics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One run of {@link FineTuner}: the loop and its position (step, epoch, batch, losses since the last evaluation,
 * best so far), which is exactly what a {@link TrainingState} saves and restores.
 *
 * <p>Resumption is exact: the epoch's order depends on the seed and the epoch only, dropout is reseeded with
 * {@code seed + step} before every optimizer step, and weights, AdamW moments and step count are restored bit for
 * bit, so a resumed run makes the same updates the uninterrupted run would have made.
 */
final class TrainingLoop {
    private final TrainingConfig config;
    private final EncoderClassifier model;
    private final List<int[]> trainIds;
    private final int[] trainLabels;
    private final List<int[]> validationIds;
    private final int[] validationLabels;
    private final TrainingListener events;
    private final StateStore states;
    private final Map<String, NDArray> trainable;
    private final ClassWeights weights;
    private final String fingerprint;
    private final int batchesPerEpoch;
    private final long totalSteps;
    private final LearningRateSchedule schedule;
    /** The epoch training ends in: {@code epochs}, or the one {@code maxSteps} reaches. */
    private final int lastEpoch;
    /** float16's dynamic loss scaling; null in the other precisions. */
    private final LossScaler scaler;

    private long step;
    /** Optimizer steps skipped for non-finite float16 gradients: the schedule and AdamW did not advance for them. */
    private long skippedSteps;
    private int epoch = 1;
    private int batch;
    private long tokens;
    private double lossSum;
    private int lossBatches;
    private final List<EpochResult> history = new ArrayList<>();
    private EpochResult best;
    private int evaluationsWithoutImprovement;
    private boolean stoppedEarly;
    private boolean cancelled;
    private long resumedFrom;
    private long sessionStart;
    private long sessionSteps;
    private long sessionTokens;

    TrainingLoop(TrainingConfig config, EncoderClassifier model, List<int[]> trainIds, int[] trainLabels,
                 List<int[]> validationIds, int[] validationLabels, Map<String, NDArray> trainable,
                 TrainingListener events, StateStore states) {
        this.config = config;
        this.model = model;
        this.trainIds = trainIds;
        this.trainLabels = trainLabels;
        this.validationIds = validationIds;
        this.validationLabels = validationLabels;
        this.trainable = trainable;
        this.events = events;
        this.states = states;
        this.weights = new ClassWeights(config.classWeights(), model.config().numLabels(),
                config.labelSmoothingFactor());
        this.fingerprint = fingerprint(config, trainIds, trainLabels, validationIds, validationLabels);
        this.batchesPerEpoch = (trainIds.size() + config.batchSize() - 1) / config.batchSize();
        int updatesPerEpoch = (batchesPerEpoch + config.gradientAccumulationSteps() - 1)
                / config.gradientAccumulationSteps();
        // max_steps, as TrainingArguments: the step count decides, and the epochs are as many as it takes.
        this.totalSteps = config.maxSteps() > 0 ? config.maxSteps() : (long) updatesPerEpoch * config.epochs();
        this.lastEpoch = config.maxSteps() > 0 ? (int) ((config.maxSteps() + updatesPerEpoch - 1) / updatesPerEpoch)
                : config.epochs();
        this.schedule = LearningRateSchedule.of(config.lrSchedulerType(), config.learningRate(), config.warmupSteps(),
                config.warmupRatio(), totalSteps);
        this.scaler = config.precision().scalesLoss() ? new LossScaler(config.initialLossScale()) : null;
    }

    TrainingResult run() {
        sessionStart = System.nanoTime();
        // PyTorch's grad mode is per thread and on in a thread that never trained: the in-place updates of
        // parameters here (restore, AdamW, clipping) need it off; each batch's GradientCollector turns it on.
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return train();
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private TrainingResult train() {
        try (AdamW optimizer = new AdamW(trainable, config.weightDecay(), config.adamBeta1(), config.adamBeta2(),
                config.adamEpsilon(), model.newBatchManager());
             WeightSnapshot bestWeights = new WeightSnapshot(model)) {
            if (states != null) {
                states.latest().ifPresent(dir -> resume(dir, optimizer, bestWeights));
            }
            optimizer.zeroGradients();
            loop(optimizer, bestWeights);
            if (!validationIds.isEmpty() && bestWeights.captured()) {
                bestWeights.restore();
            }
        }
        EpochResult last = history.isEmpty() ? null : history.get(history.size() - 1);
        return new TrainingResult(history, last, best, config.keepsBestWeights() ? best : last, step, stoppedEarly,
                cancelled, (System.nanoTime() - sessionStart) / 1e9, resumedFrom, skippedSteps);
    }

    private void loop(AdamW optimizer, WeightSnapshot bestWeights) {
        // A state of the last step (saved before the process died, or before the final model was taken away) has
        // nothing left to train, even where maxSteps ended training within an epoch.
        for (; epoch <= lastEpoch && !stoppedEarly && step < totalSteps; epoch++, batch = 0) {
            List<Integer> order = BatchOrder.of(trainIds, config.batchSize(), config.batchOrderSeed(), epoch,
                    config.groupByLength());
            while (batch < batchesPerEpoch) {
                if (events.isCancelled()) {
                    cancelled = true;
                    if (sessionSteps > 0) {
                        save(optimizer, bestWeights); // a stop for a shutdown continues from here, not from older
                    }
                    return;
                }
                int group = Math.min(config.gradientAccumulationSteps(), batchesPerEpoch - batch);
                double groupLoss = accumulate(order, group);
                update(optimizer, groupLoss);
                batch += group;
                boolean epochEnd = batch >= batchesPerEpoch;
                boolean lastStep = step >= totalSteps; // within an epoch only with maxSteps
                if (evaluationDue(epochEnd, lastStep)) {
                    evaluate(bestWeights);
                }
                boolean saveDue = config.saveStateEverySteps() > 0 && step % config.saveStateEverySteps() == 0;
                if (epochEnd || saveDue || stoppedEarly || lastStep) {
                    save(optimizer, bestWeights);
                }
                if (stoppedEarly || lastStep) {
                    return;
                }
            }
        }
    }

    /** The last step is always evaluated, so that the final weights have their numbers; before it the strategy says. */
    private boolean evaluationDue(boolean epochEnd, boolean lastStep) {
        return lastStep || switch (config.evalStrategy()) {
            case NO -> false;
            case STEPS -> step % config.evalSteps() == 0;
            case EPOCH -> epochEnd;
        };
    }

    /** Forward and backward of the {@code group} micro-batches of one optimizer step; returns their mean loss. */
    private double accumulate(List<Integer> order, int group) {
        Torch.engine().setRandomSeed((int) (config.seed() + step)); // dropout masks: a function of the step
        double groupLoss = 0;
        for (int micro = 0; micro < group; micro++) {
            int from = (batch + micro) * config.batchSize();
            int to = Math.min(trainIds.size(), from + config.batchSize());
            List<int[]> ids = new ArrayList<>(to - from);
            int[] labels = new int[to - from];
            for (int i = from; i < to; i++) {
                ids.add(trainIds.get(order.get(i)));
                labels[i - from] = trainLabels[order.get(i)];
            }
            double loss = backward(ids, labels, 1.0 / group);
            groupLoss += loss / group;
            long batchTokens = ids.stream().mapToLong(a -> a.length).sum();
            tokens += batchTokens;
            sessionTokens += batchTokens;
            lossSum += loss;
            lossBatches++;
        }
        return groupLoss;
    }

    /**
     * Forward and backward of one micro-batch; the loss is scaled by {@code scale} (and in float16 by the loss
     * scale too) before backward. Returns the unscaled loss.
     */
    private double backward(List<int[]> ids, int[] labels, double scale) {
        try (NDManager scope = model.newBatchManager()) {
            Batches.Padded padded = Batches.pad(scope, ids, model.config().padTokenId());
            try (GradientCollector collector = Torch.engine().newGradientCollector()) {
                NDArray loss;
                // Mixed precision covers the forward pass only, as torch.autocast around a model call does; the
                // backward pass runs each operation's gradient in the type its forward used.
                try (Autocast.Scope mixed = Autocast.enter(config.precision(), model.device())) {
                    NDArray logits = model.logits(padded.inputIds(), padded.attentionMask(), true);
                    loss = weights.loss(scope, logits, labels);
                }
                // The scale as an array of the batch's scope: a Java number would become a temporary tensor that
                // the garbage collector may free while autograd still holds it. float16's loss scale is a power of
                // two, so folding it into the same factor rounds exactly as scaling twice would (GradScaler.scale).
                double factor = scaler == null ? scale : scale * scaler.scale();
                collector.backward(loss.mul(scope.create((float) factor)));
                return loss.getFloat();
            }
        }
    }

    /**
     * Clip and apply the accumulated gradients, unless the loss or the gradients are no longer finite: that ends
     * the run, except in float16, where the loss scale backs off and the step is skipped (GradScaler's rule; like
     * Hugging Face's Trainer, a skipped step advances neither AdamW nor the learning-rate schedule).
     */
    private void update(AdamW optimizer, double groupLoss) {
        if (scaler == null && !Double.isFinite(groupLoss)) {
            throw new TrainingDivergedException(step + 1);
        }
        double lr = schedule.learningRate(step - skippedSteps);
        if (scaler != null) {
            try (NDManager scratch = model.newBatchManager()) {
                scaler.unscale(trainable, scratch);
            }
        }
        double norm = FineTuner.clipGradients(trainable, config.maxGradNorm(), model);
        boolean finite = Double.isFinite(norm);
        if (scaler == null && !finite) {
            throw new TrainingDivergedException(step + 1);
        }
        if (scaler != null && scaler.update(finite)) {
            skippedSteps++;
            if (scaler.collapsed()) {
                throw new TrainingDivergedException(step + 1, "loss diverged at step " + (step + 1) + ": float16"
                        + " gradients stayed infinite or NaN while the loss scale backed off to " + scaler.scale()
                        + " (learning rate too high? bf16 keeps float32's range, if the hardware has it)");
            }
        } else {
            optimizer.step(lr);
        }
        optimizer.zeroGradients();
        step++;
        sessionSteps++;
        double elapsed = (System.nanoTime() - sessionStart) / 1e9;
        events.onStep(new StepProgress(step, totalSteps, epoch, groupLoss, lr, sessionTokens / elapsed,
                elapsed / sessionSteps * (totalSteps - step), skippedSteps,
                scaler == null ? Double.NaN : scaler.scale()));
    }

    private void evaluate(WeightSnapshot bestWeights) {
        EpochResult result = evaluation();
        lossSum = 0;
        lossBatches = 0;
        history.add(result);
        events.onEvaluation(result);
        if (validationIds.isEmpty()) {
            best = result;
        } else {
            TrainingConfig.BestModelMetric metric = config.metricForBestModel();
            boolean better = best == null || metric.improves(result, best);
            // EarlyStoppingCallback: only an improvement beyond the threshold resets the patience; any
            // improvement still makes these the best weights.
            boolean significant = best == null
                    || better && Math.abs(metric.value(result) - metric.value(best)) > config.earlyStoppingThreshold();
            if (better) {
                best = result;
                if (config.keepsBestWeights()) {
                    bestWeights.capture();
                }
            }
            if (significant) {
                evaluationsWithoutImprovement = 0;
            } else if (config.earlyStoppingPatience() > 0
                    && ++evaluationsWithoutImprovement >= config.earlyStoppingPatience()) {
                stoppedEarly = true;
            }
        }
    }

    /**
     * Validation loss (class-weighted and label-smoothed like the training loss) and the evaluator's metrics of the
     * validation probabilities; NaN and none without a validation set.
     */
    private EpochResult evaluation() {
        double trainLoss = lossBatches == 0 ? Double.NaN : lossSum / lossBatches;
        if (validationIds.isEmpty()) {
            return new EpochResult(epoch, step, trainLoss, Double.NaN, Double.NaN, Map.of());
        }
        float[][] logits = Predictor.logits(model, validationIds, config.validationBatchSize(), config.precision());
        float[][] probabilities = new float[logits.length][];
        double loss = 0;
        double weightSum = 0;
        for (int i = 0; i < logits.length; i++) {
            int label = validationLabels[i];
            loss += weights.weightedLoss(logits[i], label);
            weightSum += weights.of(label);
            probabilities[i] = Losses.softmax(logits[i]);
        }
        ClassificationMetrics metrics = ClassificationMetrics.compute(model.config().labels(), validationLabels,
                probabilities);
        return new EpochResult(epoch, step, trainLoss, loss / weightSum, metrics.accuracy(), metrics.byName());
    }

    private void save(AdamW optimizer, WeightSnapshot bestWeights) {
        if (states == null) {
            return;
        }
        boolean epochEnd = batch >= batchesPerEpoch;
        TrainingState state = new TrainingState(TrainingState.VERSION, fingerprint, config.seed(), step,
                epochEnd ? epoch + 1 : epoch, epochEnd ? 0 : batch, tokens, lossSum, lossBatches, history, best,
                evaluationsWithoutImprovement, stoppedEarly, skippedSteps, scaler == null ? null : scaler.state());
        states.save(step, dir -> {
            Safetensors.write(dir.resolve(TrainingState.WEIGHTS), model.parameters());
            Safetensors.write(dir.resolve(TrainingState.OPTIMIZER), optimizer.moments());
            if (bestWeights.captured()) {
                bestWeights.write(dir.resolve(TrainingState.BEST_WEIGHTS));
            }
            state.write(dir);
        });
    }

    private void resume(Path dir, AdamW optimizer, WeightSnapshot bestWeights) {
        TrainingState state = TrainingState.read(dir);
        if (!fingerprint.equals(state.fingerprint())) {
            throw new IllegalStateException("training state " + dir + " was saved by a run with other data or"
                    + " hyperparameters; delete " + dir.getParent() + " to start over");
        }
        try (NDManager scratch = model.newBatchManager()) {
            WeightSnapshot.copyInto(model, Safetensors.read(dir.resolve(TrainingState.WEIGHTS), scratch));
            optimizer.restore(Safetensors.read(dir.resolve(TrainingState.OPTIMIZER), scratch),
                    state.step() - state.skippedSteps());
        }
        if (Files.isRegularFile(dir.resolve(TrainingState.BEST_WEIGHTS))) {
            bestWeights.read(dir.resolve(TrainingState.BEST_WEIGHTS));
        }
        step = state.step();
        epoch = state.epoch();
        batch = state.batch();
        tokens = state.tokens();
        lossSum = state.lossSum();
        lossBatches = state.lossBatches();
        history.addAll(state.history());
        best = state.best();
        evaluationsWithoutImprovement = state.evaluationsWithoutImprovement();
        stoppedEarly = state.stoppedEarly();
        skippedSteps = state.skippedSteps();
        if (scaler != null && state.lossScale() != null) {
            scaler.restore(state.lossScale());
        }
        resumedFrom = step;
        events.onResumed(state);
    }

    /** Identifies the run a state belongs to: every setting that changes the updates, and the data. */
    private static String fingerprint(TrainingConfig config, List<int[]> trainIds, int[] trainLabels,
                                      List<int[]> validationIds, int[] validationLabels) {
        TrainingConfig updates = config.with(b -> {
            b.saveStateEverySteps = 0;
            b.saveTotalLimit = 1;
        });
        long data = 17;
        for (int[] ids : trainIds) {
            data = 31 * data + Arrays.hashCode(ids);
        }
        for (int[] ids : validationIds) {
            data = 31 * data + Arrays.hashCode(ids);
        }
        data = 31 * (31 * data + Arrays.hashCode(trainLabels)) + Arrays.hashCode(validationLabels);
        return Integer.toHexString(updates.toString().hashCode()) + "-" + Long.toHexString(data)
                + "-" + trainIds.size() + "-" + validationIds.size();
    }
}
