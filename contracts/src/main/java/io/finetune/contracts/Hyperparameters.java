package io.finetune.contracts;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import java.util.List;

/**
 * Training settings of a job, as submitted. Null means "the trainer's default". Each setting's names (its own and
 * Hugging Face's {@code TrainingArguments} one), its description, default and allowed values are listed in
 * {@link TrainingSettings} and the trainer's {@code TrainingConfig}, and in the table of docs/training.md made from
 * them; any other key is refused ({@link HyperparametersReader}).
 */
@JsonDeserialize(using = HyperparametersReader.class)
public record Hyperparameters(Double learningRate, Integer batchSize, Integer epochs, Double weightDecay,
                              Double warmupRatio, Double maxGradNorm, Integer gradientAccumulationSteps,
                              Integer maxLength, Long seed, Integer earlyStoppingPatience, Boolean freezeEmbeddings,
                              Integer freezeLayers, Integer evalSteps, String metricForBestModel,
                              Integer saveStateEverySteps, Integer saveTotalLimit, Boolean groupByLength,
                              List<Double> classWeights, Boolean bf16, Boolean fp16, Boolean tf32,
                              String lrSchedulerType, Integer warmupSteps, Double adamBeta1, Double adamBeta2,
                              Double adamEpsilon, Double labelSmoothingFactor, Integer evalBatchSize, Long dataSeed,
                              Double earlyStoppingThreshold, Integer maxSteps, String evalStrategy,
                              Boolean loadBestModelAtEnd, Boolean greaterIsBetter) {
    public static Hyperparameters defaults() {
        return new Hyperparameters(null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null);
    }
}
