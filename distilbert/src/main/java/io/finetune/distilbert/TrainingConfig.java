package io.finetune.distilbert;

import io.finetune.distilbert.metrics.ClassificationMetrics;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

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
 * @param evalBatchSize examples per validation batch; null uses {@code batchSize} (HF's
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
        Integer evalBatchSize,
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

        /**
         * The metric a user or a checkpoint names: its key in any case, Hugging Face's {@code eval_} prefix allowed
         * ({@code "eval_macro_f1"}), if there is one.
         */
        public static Optional<BestModelMetric> byName(String name) {
            return byKey(name.toLowerCase(Locale.ROOT).replaceFirst("^eval_", ""));
        }

        /** Every metric's key, for the message that refuses another. */
        public static List<String> keys() {
            return Arrays.stream(values()).map(BestModelMetric::key).toList();
        }
    }

    /**
     * The values each numeric setting may take: the one statement of these bounds, checked by the constructor (so by
     * every job check, before any work starts) and shown in docs/training.md. Bounds that depend on the model or the
     * data (the layers there are to freeze, one class weight per label) are the job check's.
     */
    public static final List<Range> RANGES = List.of(
            Range.of("learningRate", "(0, 1]", c -> c.learningRate),
            Range.of("batchSize", "[1, 4096]", c -> c.batchSize),
            Range.of("epochs", "[1, 1000]", c -> c.epochs),
            Range.of("weightDecay", "[0, 1]", c -> c.weightDecay),
            Range.of("warmupRatio", "[0, 1]", c -> c.warmupRatio),
            Range.of("maxGradNorm", "[0, 1e6]", c -> c.maxGradNorm),
            Range.of("gradientAccumulationSteps", "[1, 1024]", c -> c.gradientAccumulationSteps),
            Range.of("maxLength", ">= 8", c -> c.maxLength),
            Range.of("earlyStoppingPatience", "[0, 1000]", c -> c.earlyStoppingPatience),
            Range.of("freezeLayers", ">= 0", c -> c.freezeLayers),
            Range.of("evalSteps", ">= 0", c -> c.evalSteps),
            Range.of("saveStateEverySteps", ">= 0", c -> c.saveStateEverySteps),
            Range.of("saveTotalLimit", "[1, 100]", c -> c.saveTotalLimit),
            Range.of("classWeights", "(0, 1e6]", c -> c.classWeights),
            Range.of("warmupSteps", ">= 0", c -> c.warmupSteps),
            Range.of("adamBeta1", "[0, 1)", c -> c.adamBeta1),
            Range.of("adamBeta2", "[0, 1)", c -> c.adamBeta2),
            Range.of("adamEpsilon", "(0, 1]", c -> c.adamEpsilon),
            Range.of("labelSmoothingFactor", "[0, 1)", c -> c.labelSmoothingFactor),
            Range.of("evalBatchSize", "[1, 4096]", c -> c.evalBatchSize),
            Range.of("earlyStoppingThreshold", ">= 0", c -> c.earlyStoppingThreshold),
            Range.of("maxSteps", ">= 0", c -> c.maxSteps));

    // Written out rather than compact: the ranges read the fields, which a compact constructor sets only at its end.
    public TrainingConfig(
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
            Integer evalBatchSize,
            Long dataSeed,
            double earlyStoppingThreshold,
            int maxSteps,
            EvalStrategy evalStrategy,
            boolean loadBestModelAtEnd) {
        this.learningRate = learningRate;
        this.batchSize = batchSize;
        this.epochs = epochs;
        this.weightDecay = weightDecay;
        this.warmupRatio = warmupRatio;
        this.maxGradNorm = maxGradNorm;
        this.gradientAccumulationSteps = gradientAccumulationSteps;
        this.maxLength = maxLength;
        this.seed = seed;
        this.earlyStoppingPatience = earlyStoppingPatience;
        this.freezeEmbeddings = freezeEmbeddings;
        this.freezeLayers = freezeLayers;
        this.evalSteps = evalSteps;
        this.metricForBestModel = metricForBestModel;
        this.saveStateEverySteps = saveStateEverySteps;
        this.saveTotalLimit = saveTotalLimit;
        this.groupByLength = groupByLength;
        this.precision = precision;
        this.initialLossScale = initialLossScale;
        this.tf32 = tf32;
        this.lrSchedulerType = lrSchedulerType;
        this.warmupSteps = warmupSteps;
        this.adamBeta1 = adamBeta1;
        this.adamBeta2 = adamBeta2;
        this.adamEpsilon = adamEpsilon;
        this.labelSmoothingFactor = labelSmoothingFactor;
        this.evalBatchSize = evalBatchSize;
        this.dataSeed = dataSeed;
        this.earlyStoppingThreshold = earlyStoppingThreshold;
        this.maxSteps = maxSteps;
        this.evalStrategy = evalStrategy;
        this.loadBestModelAtEnd = loadBestModelAtEnd;
        this.classWeights = classWeights == null ? null
                : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(classWeights));
        List<String> problems = new java.util.ArrayList<>();
        for (Range range : RANGES) {
            range.check(this, problems);
        }
        if (metricForBestModel == null || precision == null || lrSchedulerType == null || evalStrategy == null) {
            problems.add("metricForBestModel, precision, lrSchedulerType and evalStrategy must be set");
        }
        if (!(initialLossScale > 0 && Double.isFinite(initialLossScale))) {
            problems.add("initialLossScale must be > 0 and finite, got " + initialLossScale);
        }
        if ((evalStrategy == EvalStrategy.STEPS) != (evalSteps > 0)) {
            problems.add("evalStrategy STEPS needs evalSteps > 0, and only STEPS takes evalSteps");
        }
        // Hugging Face's EarlyStoppingCallback refuses to run without evaluations and without load_best_model_at_end.
        if (earlyStoppingPatience > 0 && (evalStrategy == EvalStrategy.NO || !loadBestModelAtEnd)) {
            problems.add("earlyStoppingPatience needs evaluations while training (evalStrategy 'epoch' or 'steps')"
                    + " and the best model kept (loadBestModelAtEnd true), as Hugging Face's EarlyStoppingCallback"
                    + " does: set earlyStoppingPatience to 0, or evaluate and keep the best model");
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
    }

    /** Settings outside their {@link #RANGES} (or otherwise unusable), every problem listed. */
    public static final class InvalidSettingsException extends IllegalArgumentException {
        private final List<String> problems;

        public InvalidSettingsException(List<String> problems) {
            super("invalid hyperparameters: " + String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /**
     * The values one setting may take, written as the docs show it: an interval ({@code "(0, 1]"}, {@code "[1, 4096]"})
     * or a lower bound ({@code ">= 0"}, {@code "> 0"}). A list setting's elements must each be in it; an unset
     * (null) setting is not checked.
     */
    public record Range(String setting, String text, double min, boolean minIncluded, double max,
                        boolean maxIncluded, Function<TrainingConfig, Object> value) {
        static Range of(String setting, String text, Function<TrainingConfig, Object> value) {
            if (text.startsWith(">")) {
                boolean included = text.startsWith(">=");
                double min = Double.parseDouble(text.substring(included ? 2 : 1).trim());
                return new Range(setting, text, min, included, Double.POSITIVE_INFINITY, false, value);
            }
            String[] bounds = text.substring(1, text.length() - 1).split(",");
            return new Range(setting, text, Double.parseDouble(bounds[0].trim()), text.startsWith("["),
                    Double.parseDouble(bounds[1].trim()), text.endsWith("]"), value);
        }

        public boolean contains(double v) {
            return (minIncluded ? v >= min : v > min) && (maxIncluded ? v <= max : v < max);
        }

        void check(TrainingConfig config, List<String> problems) {
            Object v = value.apply(config);
            if (v instanceof List<?> list) {
                if (list.stream().anyMatch(e -> e == null || !contains(((Number) e).doubleValue()))) {
                    problems.add(setting + " must all be " + phrase() + ", got " + list);
                }
            } else if (v != null && !contains(((Number) v).doubleValue())) {
                problems.add(setting + " must be " + phrase() + ", got " + v);
            }
        }

        private String phrase() {
            return text.startsWith(">") ? text : "in " + text;
        }
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(2e-5, 16, 2, 0.01, 0.0, 1.0, 1, 512, 42, 0, false, 0,
                0, BestModelMetric.LOSS, 200, 2, false, null, Precision.FP32, LossScaler.DEFAULT_INITIAL_SCALE,
                false, LearningRateSchedule.Type.LINEAR, 0, AdamW.BETA1, AdamW.BETA2, AdamW.EPS, 0.0, null, null, 0.0,
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
        return evalBatchSize != null ? evalBatchSize : batchSize;
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
        public Integer evalBatchSize;
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
