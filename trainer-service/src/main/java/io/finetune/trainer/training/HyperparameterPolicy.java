package io.finetune.trainer.training;

import ai.djl.Device;
import io.finetune.contracts.Hyperparameters;
import io.finetune.distilbert.Autocast;
import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.LearningRateSchedule;
import io.finetune.distilbert.Precision;
import io.finetune.distilbert.Tf32;
import io.finetune.distilbert.TrainingConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a job's hyperparameters into a {@link TrainingConfig}: missing values take the Hugging Face IMDB guide's
 * defaults, and values no sane run would use are refused with every problem listed, before any work starts.
 */
public final class HyperparameterPolicy {
    /**
     * @param numLabels the dataset's number of classes, which {@code classWeights} must match
     * @param device where the job will train: {@code bf16} and {@code fp16} need the 16-bit type's arithmetic
     *               there, {@code tf32} an Ampere or newer GPU
     */
    public static TrainingConfig resolve(Hyperparameters h, EncoderConfig model, int numLabels, Device device) {
        Hyperparameters p = h == null ? Hyperparameters.defaults() : h;
        TrainingConfig d = TrainingConfig.defaults();
        int maxLength = Math.min(or(p.maxLength(), d.maxLength()), model.maxPositionEmbeddings());
        List<String> problems = new ArrayList<>();
        double lr = or(p.learningRate(), d.learningRate());
        check(problems, lr > 0 && lr <= 1, "learningRate must be in (0, 1], got " + lr);
        int batch = or(p.batchSize(), d.batchSize());
        check(problems, batch >= 1 && batch <= 4096, "batchSize must be in [1, 4096], got " + batch);
        int epochs = or(p.epochs(), d.epochs());
        check(problems, epochs >= 1 && epochs <= 1000, "epochs must be in [1, 1000], got " + epochs);
        double decay = or(p.weightDecay(), d.weightDecay());
        check(problems, decay >= 0 && decay <= 1, "weightDecay must be in [0, 1], got " + decay);
        double warmup = or(p.warmupRatio(), d.warmupRatio());
        check(problems, warmup >= 0 && warmup <= 1, "warmupRatio must be in [0, 1], got " + warmup);
        double clip = or(p.maxGradNorm(), d.maxGradNorm());
        check(problems, clip >= 0 && clip <= 1e6, "maxGradNorm must be in [0, 1e6], got " + clip);
        int accumulation = or(p.gradientAccumulationSteps(), d.gradientAccumulationSteps());
        check(problems, accumulation >= 1 && accumulation <= 1024,
                "gradientAccumulationSteps must be in [1, 1024], got " + accumulation);
        check(problems, maxLength >= 8, "maxLength must be at least 8, got " + maxLength);
        int patience = or(p.earlyStoppingPatience(), d.earlyStoppingPatience());
        check(problems, patience >= 0 && patience <= 1000, "earlyStoppingPatience must be in [0, 1000]");
        int frozen = or(p.freezeLayers(), d.freezeLayers());
        check(problems, frozen >= 0 && frozen <= model.nLayers(),
                "freezeLayers must be in [0, " + model.nLayers() + "], got " + frozen);
        int evalSteps = or(p.evalSteps(), d.evalSteps());
        check(problems, evalSteps >= 0, "evalSteps must be >= 0 (0 evaluates every epoch), got " + evalSteps);
        EvaluationPolicy.Evaluation evaluation = EvaluationPolicy.resolve(p, numLabels, evalSteps, problems);
        TrainingConfig.BestModelMetric metric = evaluation.metric();
        int saveEvery = or(p.saveStateEverySteps(), d.saveStateEverySteps());
        check(problems, saveEvery >= 0,
                "saveStateEverySteps must be >= 0 (0 saves at epoch ends only), got " + saveEvery);
        int keep = or(p.saveTotalLimit(), d.saveTotalLimit());
        check(problems, keep >= 1 && keep <= 100, "saveTotalLimit must be in [1, 100], got " + keep);
        List<Double> weights = p.classWeights();
        if (weights != null) {
            check(problems, weights.size() == numLabels, "classWeights must have one weight per label ("
                    + numLabels + "), got " + weights.size());
            check(problems, weights.stream().allMatch(w -> w != null && w > 0 && w <= 1e6),
                    "classWeights must all be in (0, 1e6], got " + weights);
        }
        Precision precision = Precision.FP32;
        try {
            precision = Precision.of(p.bf16(), p.fp16());
            Autocast.unsupportedReason(precision, device).ifPresent(problems::add);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        LearningRateSchedule.Type schedule = d.lrSchedulerType();
        if (p.lrSchedulerType() != null) {
            try {
                schedule = LearningRateSchedule.Type.of(p.lrSchedulerType());
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        int warmupSteps = or(p.warmupSteps(), d.warmupSteps());
        check(problems, warmupSteps >= 0, "warmupSteps must be >= 0 (0 uses warmupRatio), got " + warmupSteps);
        double beta1 = or(p.adamBeta1(), d.adamBeta1());
        check(problems, beta1 >= 0 && beta1 < 1, "adamBeta1 must be in [0, 1), got " + beta1);
        double beta2 = or(p.adamBeta2(), d.adamBeta2());
        check(problems, beta2 >= 0 && beta2 < 1, "adamBeta2 must be in [0, 1), got " + beta2);
        double epsilon = or(p.adamEpsilon(), d.adamEpsilon());
        check(problems, epsilon > 0 && epsilon <= 1, "adamEpsilon must be in (0, 1], got " + epsilon);
        double smoothing = or(p.labelSmoothingFactor(), d.labelSmoothingFactor());
        check(problems, smoothing >= 0 && smoothing < 1, "labelSmoothingFactor must be in [0, 1), got " + smoothing);
        int evalBatch = or(p.evalBatchSize(), d.evalBatchSize()); // the default 0 means "as batchSize"
        check(problems, p.evalBatchSize() == null || evalBatch >= 1 && evalBatch <= 4096,
                "evalBatchSize must be in [1, 4096], got " + evalBatch);
        double threshold = or(p.earlyStoppingThreshold(), d.earlyStoppingThreshold());
        check(problems, threshold >= 0, "earlyStoppingThreshold must be >= 0, got " + threshold);
        int maxSteps = or(p.maxSteps(), d.maxSteps());
        check(problems, maxSteps >= 0, "maxSteps must be >= 0 (0 trains for epochs), got " + maxSteps);
        boolean tf32 = Boolean.TRUE.equals(p.tf32());
        if (tf32) {
            Tf32.unsupportedReason(device).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid hyperparameters: " + String.join("; ", problems));
        }
        return new TrainingConfig(lr, batch, epochs, decay, warmup, clip, accumulation, maxLength,
                or(p.seed(), d.seed()), patience, or(p.freezeEmbeddings(), d.freezeEmbeddings()), frozen,
                evalSteps, metric, saveEvery, keep, or(p.groupByLength(), d.groupByLength()), weights, precision,
                d.initialLossScale(), tf32, schedule, warmupSteps, beta1, beta2, epsilon, smoothing, evalBatch,
                p.dataSeed(), threshold, maxSteps, evaluation.strategy(), evaluation.loadBestModelAtEnd());
    }

    private static void check(List<String> problems, boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private HyperparameterPolicy() {
    }
}
