package io.finetune.distilbert;

import io.finetune.distilbert.metrics.ClassificationMetrics;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Fine-tuning hyper-parameters, with Hugging Face {@code Trainer}'s defaults in {@link #defaults()}.
 *
 * @param earlyStoppingPatience evaluations without a better {@code metricForBestModel} before stopping; 0 turns it off
 * @param freezeLayers how many transformer layers, counted from the input, are not trained
 * @param evalSteps evaluate every this many optimizer steps (and after the last one) with {@link EvalStrategy#STEPS};
 *                  0 with the other strategies
 * @param metricForBestModel which validation metric picks the weights kept at the end
 * @param saveStateEverySteps write a resumable state every this many optimizer steps (always at each epoch end
 *                            too); 0 saves at epoch ends only. Only used when training is given a {@link StateStore}
 * @param saveTotalLimit resumable states kept on disk, oldest deleted first (HF's {@code save_total_limit})
 * @param groupByLength batch examples of similar length together, as HF's {@code group_by_length}: less padding
 * @param classWeights one weight per label for the cross-entropy ({@code CrossEntropyLoss(weight=...)}), null for none
 * @param precision float32, or bfloat16 or float16 mixed precision (Hugging Face's {@code bf16=True} and
 *                  {@code fp16=True}, see {@link Autocast})
 * @param initialLossScale the loss scale float16 training starts from ({@link LossScaler}; torch's GradScaler and
 *                         accelerate's {@code GradScalerKwargs(init_scale)} default to 2^16); unused otherwise
 * @param tf32 TensorFloat-32 matrix products on Ampere and newer GPUs while training ({@link Tf32}; Hugging Face's
 *             {@code tf32=True}); no effect on a CPU
 * @param lrSchedulerType the learning rate's course over the steps (Hugging Face's {@code lr_scheduler_type})
 * @param warmupSteps steps of rising learning rate; above 0 it wins over {@code warmupRatio} (HF's
 *                    {@code warmup_steps})
 * @param adamBeta1 AdamW's β1 (HF's {@code adam_beta1})
 * @param adamBeta2 AdamW's β2 (HF's {@code adam_beta2})
 * @param adamEpsilon AdamW's ε (HF's {@code adam_epsilon})
 * @param labelSmoothingFactor ε of label smoothing, as {@code CrossEntropyLoss(label_smoothing=ε)}, in training and
 *                             validation loss alike (HF's {@code label_smoothing_factor})
 * @param evalBatchSize examples per validation batch; 0 uses {@code batchSize} (HF's
 *                      {@code per_device_eval_batch_size}); results do not depend on it
 * @param dataSeed the seed of the batch order; null uses {@code seed} (HF's {@code data_seed})
 * @param earlyStoppingThreshold how much better an evaluation must be to reset the patience
 *                               ({@code EarlyStoppingCallback(early_stopping_threshold=...)})
 * @param maxSteps optimizer steps to train for, overriding {@code epochs} when above 0 (HF's {@code max_steps}):
 *                 training may stop within an epoch, and is evaluated there
 * @param evalStrategy when to evaluate (HF's {@code eval_strategy}): every {@code evalSteps} steps, at each epoch
 *                     end, or ({@link EvalStrategy#NO}) only once, after the last step
 * @param loadBestModelAtEnd end with the weights of the best evaluation by {@code metricForBestModel} (HF's
 *                           {@code load_best_model_at_end}); false ends with the last weights. Early stopping needs
 *                           it, and it means nothing with {@link EvalStrategy#NO}, whose one evaluation is the last
 */
public record TrainingConfig(
        double learningRate,
        int batchSize,
        int epochs,
        double weightDecay,
        double warmupRatio,
        double maxGradNorm,
        int gradientAccumulationSteps,
        int maxLength,
        long seed,
        int earlyStoppingPatience,
        boolean freezeEmbeddings,
        int freezeLayers,
        int evalSteps,
        BestModelMetric metricForBestModel,
        int saveStateEverySteps,
        int saveTotalLimit,
        boolean groupByLength,
        List<Double> classWeights,
        Precision precision,
        double initialLossScale,
        boolean tf32,
        LearningRateSchedule.Type lrSchedulerType,
        int warmupSteps,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        double labelSmoothingFactor,
        int evalBatchSize,
        Long dataSeed,
        double earlyStoppingThreshold,
        int maxSteps,
        EvalStrategy evalStrategy,
        boolean loadBestModelAtEnd) {

    /** When training evaluates on the validation split (Hugging Face's {@code eval_strategy}). */
    public enum EvalStrategy {
        /**
         * Not while training: once, after the last step, so that the final model still has its validation numbers
         * (where Hugging Face would report none).
         */
        NO,
        /** Every {@code evalSteps} optimizer steps, and after the last one. */
        STEPS,
        /** At each epoch end, and after the last step where {@code maxSteps} ends training within an epoch. */
        EPOCH;

        /** Hugging Face's spelling: {@code no}, {@code steps}, {@code epoch}. */
        public String huggingFaceName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<EvalStrategy> byHuggingFaceName(String name) {
            return Arrays.stream(values()).filter(s -> s.huggingFaceName().equals(name)).findFirst();
        }
    }

    /**
     * The validation metric that decides which weights are best and drives early stopping: the validation loss
     * ({@code loss}, Hugging Face's {@code eval_loss}) or one of the evaluator's metrics
     * ({@link ClassificationMetrics#byName}), each with the direction in which it improves.
     */
    public enum BestModelMetric {
        LOSS("loss", false),
        ACCURACY(ClassificationMetrics.ACCURACY, true),
        MACRO_F1(ClassificationMetrics.MACRO_F1, true),
        WEIGHTED_F1(ClassificationMetrics.WEIGHTED_F1, true),
        LOG_LOSS(ClassificationMetrics.LOG_LOSS, false),
        ROC_AUC(ClassificationMetrics.ROC_AUC, true),
        PR_AUC(ClassificationMetrics.PR_AUC, true);

        private final String key;
        private final boolean greaterIsBetter;

        BestModelMetric(String key, boolean greaterIsBetter) {
            this.key = key;
            this.greaterIsBetter = greaterIsBetter;
        }

        /** The metric's name, as the evaluator and Hugging Face's {@code metric_for_best_model} (less "eval_") say. */
        public String key() {
            return key;
        }

        /** Whether a higher value is better (Hugging Face's {@code greater_is_better}). */
        public boolean greaterIsBetter() {
            return greaterIsBetter;
        }

        /** Whether the metric exists for two-class tasks only (it ranks examples by the second class's score). */
        public boolean twoClassesOnly() {
            return this == ROC_AUC || this == PR_AUC;
        }

        /** True when {@code candidate} beats {@code best} on this metric. */
        public boolean improves(EpochResult candidate, EpochResult best) {
            return greaterIsBetter ? value(candidate) > value(best) : value(candidate) < value(best);
        }

        /** The metric's value in an evaluation; NaN where it was not computed. */
        public double value(EpochResult result) {
            return switch (this) {
                case LOSS -> result.validationLoss();
                case ACCURACY -> result.validationAccuracy();
                default -> result.validationMetrics().getOrDefault(key, Double.NaN);
            };
        }

        /** The metric named {@code key} ({@code "macro_f1"}), if there is one. */
        public static Optional<BestModelMetric> byKey(String key) {
            return Arrays.stream(values()).filter(m -> m.key.equals(key)).findFirst();
        }

        /** Every metric's key, for the message that refuses another. */
        public static List<String> keys() {
            return Arrays.stream(values()).map(BestModelMetric::key).toList();
        }
    }

    public TrainingConfig {
        require(learningRate > 0, "learningRate must be > 0");
        require(batchSize > 0, "batchSize must be > 0");
        require(epochs > 0, "epochs must be > 0");
        require(weightDecay >= 0, "weightDecay must be >= 0");
        require(warmupRatio >= 0 && warmupRatio <= 1, "warmupRatio must be in [0, 1]");
        require(maxGradNorm >= 0, "maxGradNorm must be >= 0 (0 turns clipping off)");
        require(gradientAccumulationSteps > 0, "gradientAccumulationSteps must be > 0");
        require(maxLength >= 2, "maxLength must be >= 2");
        require(earlyStoppingPatience >= 0, "earlyStoppingPatience must be >= 0");
        require(freezeLayers >= 0, "freezeLayers must be >= 0");
        require(evalSteps >= 0, "evalSteps must be >= 0 (0 evaluates per epoch)");
        require(metricForBestModel != null, "metricForBestModel must be set");
        require(saveStateEverySteps >= 0, "saveStateEverySteps must be >= 0");
        require(saveTotalLimit >= 1, "saveTotalLimit must be >= 1");
        require(precision != null, "precision must be set");
        require(initialLossScale > 0 && Double.isFinite(initialLossScale), "initialLossScale must be > 0 and finite");
        require(lrSchedulerType != null, "lrSchedulerType must be set");
        require(warmupSteps >= 0, "warmupSteps must be >= 0");
        require(adamBeta1 >= 0 && adamBeta1 < 1, "adamBeta1 must be in [0, 1)");
        require(adamBeta2 >= 0 && adamBeta2 < 1, "adamBeta2 must be in [0, 1)");
        require(adamEpsilon > 0, "adamEpsilon must be > 0");
        require(labelSmoothingFactor >= 0 && labelSmoothingFactor < 1, "labelSmoothingFactor must be in [0, 1)");
        require(evalBatchSize >= 0, "evalBatchSize must be >= 0 (0 uses batchSize)");
        require(earlyStoppingThreshold >= 0, "earlyStoppingThreshold must be >= 0");
        require(maxSteps >= 0, "maxSteps must be >= 0 (0: train for epochs)");
        if (classWeights != null) {
            classWeights = List.copyOf(classWeights);
            require(classWeights.stream().allMatch(w -> w != null && w > 0 && Double.isFinite(w)),
                    "classWeights must all be finite and > 0");
        }
        require(evalStrategy != null, "evalStrategy must be set");
        require((evalStrategy == EvalStrategy.STEPS) == (evalSteps > 0),
                "evalStrategy STEPS needs evalSteps > 0, and only STEPS takes evalSteps");
        // Hugging Face's EarlyStoppingCallback refuses to run without evaluations and without load_best_model_at_end.
        require(earlyStoppingPatience == 0 || evalStrategy != EvalStrategy.NO && loadBestModelAtEnd,
                "earlyStoppingPatience needs evaluations while training (evalStrategy STEPS or EPOCH) and"
                        + " loadBestModelAtEnd");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(2e-5, 16, 2, 0.01, 0.0, 1.0, 1, 512, 42, 0, false, 0,
                0, BestModelMetric.LOSS, 200, 2, false, null, Precision.FP32, LossScaler.DEFAULT_INITIAL_SCALE,
                false, LearningRateSchedule.Type.LINEAR, 0, AdamW.BETA1, AdamW.BETA2, AdamW.EPS, 0.0, 0, null, 0.0,
                0, EvalStrategy.EPOCH, true);
    }

    /** A copy with the changes {@code edit} makes to a {@link Builder} preloaded with this config. */
    public TrainingConfig with(Consumer<Builder> edit) {
        Builder b = new Builder(this);
        edit.accept(b);
        return b.build();
    }

    public TrainingConfig withLearningRate(double v) {
        return with(b -> b.learningRate = v);
    }

    public TrainingConfig withBatchSize(int v) {
        return with(b -> b.batchSize = v);
    }

    public TrainingConfig withEpochs(int v) {
        return with(b -> b.epochs = v);
    }

    public TrainingConfig withWeightDecay(double v) {
        return with(b -> b.weightDecay = v);
    }

    public TrainingConfig withWarmupRatio(double v) {
        return with(b -> b.warmupRatio = v);
    }

    public TrainingConfig withMaxGradNorm(double v) {
        return with(b -> b.maxGradNorm = v);
    }

    public TrainingConfig withGradientAccumulationSteps(int v) {
        return with(b -> b.gradientAccumulationSteps = v);
    }

    public TrainingConfig withMaxLength(int v) {
        return with(b -> b.maxLength = v);
    }

    public TrainingConfig withSeed(long v) {
        return with(b -> b.seed = v);
    }

    public TrainingConfig withEarlyStoppingPatience(int v) {
        return with(b -> b.earlyStoppingPatience = v);
    }

    public TrainingConfig withFreezeEmbeddings(boolean v) {
        return with(b -> b.freezeEmbeddings = v);
    }

    public TrainingConfig withFreezeLayers(int v) {
        return with(b -> b.freezeLayers = v);
    }

    /** Evaluate every {@code v} steps ({@link EvalStrategy#STEPS}), or for 0 at each epoch end. */
    public TrainingConfig withEvalSteps(int v) {
        return with(b -> {
            b.evalSteps = v;
            b.evalStrategy = v > 0 ? EvalStrategy.STEPS : EvalStrategy.EPOCH;
        });
    }

    /** {@link EvalStrategy#STEPS} takes its interval from {@link #withEvalSteps}. */
    public TrainingConfig withEvalStrategy(EvalStrategy v) {
        return with(b -> b.evalStrategy = v);
    }

    public TrainingConfig withLoadBestModelAtEnd(boolean v) {
        return with(b -> b.loadBestModelAtEnd = v);
    }

    public TrainingConfig withMetricForBestModel(BestModelMetric v) {
        return with(b -> b.metricForBestModel = v);
    }

    public TrainingConfig withSaveStateEverySteps(int v) {
        return with(b -> b.saveStateEverySteps = v);
    }

    public TrainingConfig withSaveTotalLimit(int v) {
        return with(b -> b.saveTotalLimit = v);
    }

    public TrainingConfig withGroupByLength(boolean v) {
        return with(b -> b.groupByLength = v);
    }

    public TrainingConfig withClassWeights(List<Double> v) {
        return with(b -> b.classWeights = v);
    }

    public TrainingConfig withPrecision(Precision v) {
        return with(b -> b.precision = v);
    }

    public TrainingConfig withInitialLossScale(double v) {
        return with(b -> b.initialLossScale = v);
    }

    public TrainingConfig withTf32(boolean v) {
        return with(b -> b.tf32 = v);
    }

    public TrainingConfig withLrSchedulerType(LearningRateSchedule.Type v) {
        return with(b -> b.lrSchedulerType = v);
    }

    public TrainingConfig withWarmupSteps(int v) {
        return with(b -> b.warmupSteps = v);
    }

    public TrainingConfig withLabelSmoothingFactor(double v) {
        return with(b -> b.labelSmoothingFactor = v);
    }

    public TrainingConfig withMaxSteps(int v) {
        return with(b -> b.maxSteps = v);
    }

    public TrainingConfig withEarlyStoppingThreshold(double v) {
        return with(b -> b.earlyStoppingThreshold = v);
    }

    /** The seed of the batch order: {@code dataSeed}, or {@code seed} when that is not set. */
    public long batchOrderSeed() {
        return dataSeed != null ? dataSeed : seed;
    }

    /**
     * Whether the weights of the best evaluation are kept to end with: not when asked for the last weights, and not
     * with {@link EvalStrategy#NO}, whose only evaluation scores the last weights anyway.
     */
    public boolean keepsBestWeights() {
        return loadBestModelAtEnd && evalStrategy != EvalStrategy.NO;
    }

    /** Examples per validation batch. */
    public int validationBatchSize() {
        return evalBatchSize > 0 ? evalBatchSize : batchSize;
    }

    /** Mutable mirror of the record, so that adding a knob does not mean rewriting every copy method. */
    public static final class Builder {
        public double learningRate;
        public int batchSize;
        public int epochs;
        public double weightDecay;
        public double warmupRatio;
        public double maxGradNorm;
        public int gradientAccumulationSteps;
        public int maxLength;
        public long seed;
        public int earlyStoppingPatience;
        public boolean freezeEmbeddings;
        public int freezeLayers;
        public int evalSteps;
        public BestModelMetric metricForBestModel;
        public int saveStateEverySteps;
        public int saveTotalLimit;
        public boolean groupByLength;
        public List<Double> classWeights;
        public Precision precision;
        public double initialLossScale;
        public boolean tf32;
        public LearningRateSchedule.Type lrSchedulerType;
        public int warmupSteps;
        public double adamBeta1;
        public double adamBeta2;
        public double adamEpsilon;
        public double labelSmoothingFactor;
        public int evalBatchSize;
        public Long dataSeed;
        public double earlyStoppingThreshold;
        public int maxSteps;
        public EvalStrategy evalStrategy;
        public boolean loadBestModelAtEnd;

        public Builder(TrainingConfig c) {
            learningRate = c.learningRate;
            batchSize = c.batchSize;
            epochs = c.epochs;
            weightDecay = c.weightDecay;
            warmupRatio = c.warmupRatio;
            maxGradNorm = c.maxGradNorm;
            gradientAccumulationSteps = c.gradientAccumulationSteps;
            maxLength = c.maxLength;
            seed = c.seed;
            earlyStoppingPatience = c.earlyStoppingPatience;
            freezeEmbeddings = c.freezeEmbeddings;
            freezeLayers = c.freezeLayers;
            evalSteps = c.evalSteps;
            metricForBestModel = c.metricForBestModel;
            saveStateEverySteps = c.saveStateEverySteps;
            saveTotalLimit = c.saveTotalLimit;
            groupByLength = c.groupByLength;
            classWeights = c.classWeights;
            precision = c.precision;
            initialLossScale = c.initialLossScale;
            tf32 = c.tf32;
            lrSchedulerType = c.lrSchedulerType;
            warmupSteps = c.warmupSteps;
            adamBeta1 = c.adamBeta1;
            adamBeta2 = c.adamBeta2;
            adamEpsilon = c.adamEpsilon;
            labelSmoothingFactor = c.labelSmoothingFactor;
            evalBatchSize = c.evalBatchSize;
            dataSeed = c.dataSeed;
            earlyStoppingThreshold = c.earlyStoppingThreshold;
            maxSteps = c.maxSteps;
            evalStrategy = c.evalStrategy;
            loadBestModelAtEnd = c.loadBestModelAtEnd;
        }

        public TrainingConfig build() {
            return new TrainingConfig(learningRate, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm,
                    gradientAccumulationSteps, maxLength, seed, earlyStoppingPatience, freezeEmbeddings, freezeLayers,
                    evalSteps, metricForBestModel, saveStateEverySteps, saveTotalLimit, groupByLength, classWeights,
                    precision, initialLossScale, tf32, lrSchedulerType, warmupSteps, adamBeta1, adamBeta2, adamEpsilon,
                    labelSmoothingFactor, evalBatchSize, dataSeed, earlyStoppingThreshold, maxSteps, evalStrategy,
                    loadBestModelAtEnd);
        }
    }
}
