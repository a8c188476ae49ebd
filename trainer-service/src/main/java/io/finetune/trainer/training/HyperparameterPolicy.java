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
 * Turns a job's hyperparameters into a {@link TrainingConfig}: missing values take {@link TrainingConfig#defaults()},
 * values outside {@link TrainingConfig#RANGES} or unfit for this model, dataset or device are refused with every
 * problem listed, before any work starts.
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
        List<String> problems = new ArrayList<>();
        // Context the ranges cannot know: the model's positions cap the length, its layers the freezing, the
        // dataset's labels the class weights.
        int maxLength = Math.min(or(p.maxLength(), d.maxLength()), model.maxPositionEmbeddings());
        int frozen = or(p.freezeLayers(), d.freezeLayers());
        check(problems, frozen <= model.nLayers(),
                "freezeLayers must be at most the model's " + model.nLayers() + " layers, got " + frozen);
        List<Double> weights = p.classWeights();
        check(problems, weights == null || weights.size() == numLabels, "classWeights must have one weight per label ("
                + numLabels + "), got " + (weights == null ? 0 : weights.size()));
        int evalSteps = or(p.evalSteps(), d.evalSteps());
        EvaluationPolicy.Evaluation evaluation = EvaluationPolicy.resolve(p, numLabels, evalSteps, problems);
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
        boolean tf32 = Boolean.TRUE.equals(p.tf32());
        if (tf32) {
            Tf32.unsupportedReason(device).ifPresent(problems::add);
        }
        try {
            TrainingConfig config = new TrainingConfig(or(p.learningRate(), d.learningRate()),
                    or(p.batchSize(), d.batchSize()), or(p.epochs(), d.epochs()), or(p.weightDecay(), d.weightDecay()),
                    or(p.warmupRatio(), d.warmupRatio()), or(p.maxGradNorm(), d.maxGradNorm()),
                    or(p.gradientAccumulationSteps(), d.gradientAccumulationSteps()), maxLength,
                    or(p.seed(), d.seed()), or(p.earlyStoppingPatience(), d.earlyStoppingPatience()),
                    or(p.freezeEmbeddings(), d.freezeEmbeddings()), frozen, evalSteps, evaluation.metric(),
                    or(p.saveStateEverySteps(), d.saveStateEverySteps()), or(p.saveTotalLimit(), d.saveTotalLimit()),
                    or(p.groupByLength(), d.groupByLength()), weights, precision, d.initialLossScale(), tf32,
                    schedule, or(p.warmupSteps(), d.warmupSteps()), or(p.adamBeta1(), d.adamBeta1()),
                    or(p.adamBeta2(), d.adamBeta2()), or(p.adamEpsilon(), d.adamEpsilon()),
                    or(p.labelSmoothingFactor(), d.labelSmoothingFactor()), or(p.evalBatchSize(), d.evalBatchSize()),
                    or(p.dataSeed(), d.dataSeed()), or(p.earlyStoppingThreshold(), d.earlyStoppingThreshold()),
                    or(p.maxSteps(), d.maxSteps()), evaluation.strategy(), evaluation.loadBestModelAtEnd());
            if (problems.isEmpty()) {
                return config;
            }
        } catch (TrainingConfig.InvalidSettingsException e) {
            problems.addAll(0, e.problems());
        }
        throw new TrainingConfig.InvalidSettingsException(problems);
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
