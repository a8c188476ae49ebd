package io.finetune.distilbert;

/**
 * Fine-tuning hyper-parameters, with Hugging Face {@code Trainer}'s defaults in {@link #defaults()}.
 *
 * @param earlyStoppingPatience epochs without a lower validation loss before stopping; 0 turns it off
 * @param freezeLayers how many transformer layers, counted from the input, are not trained
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
        int freezeLayers) {

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
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(2e-5, 16, 2, 0.01, 0.0, 1.0, 1, 512, 42, 0, false, 0);
    }

    public TrainingConfig withLearningRate(double v) {
        return new TrainingConfig(v, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm,
                gradientAccumulationSteps, maxLength, seed, earlyStoppingPatience, freezeEmbeddings, freezeLayers);
    }

    public TrainingConfig withBatchSize(int v) {
        return new TrainingConfig(learningRate, v, epochs, weightDecay, warmupRatio, maxGradNorm,
                gradientAccumulationSteps, maxLength, seed, earlyStoppingPatience, freezeEmbeddings, freezeLayers);
    }

    public TrainingConfig withEpochs(int v) {
        return new TrainingConfig(learningRate, batchSize, v, weightDecay, warmupRatio, maxGradNorm,
                gradientAccumulationSteps, maxLength, seed, earlyStoppingPatience, freezeEmbeddings, freezeLayers);
    }

    public TrainingConfig withWeightDecay(double v) {
        return new TrainingConfig(learningRate, batchSize, epochs, v, warmupRatio, maxGradNorm,
                gradientAccumulationSteps, maxLength, seed, earlyStoppingPatience, freezeEmbeddings, freezeLayers);
    }

    public TrainingConfig withWarmupRatio(double v) {
        return new TrainingConfig(learningRate, batchSize, epochs, weightDecay, v, maxGradNorm,
                gradientAccumulationSteps, maxLength, seed, earlyStoppingPatience, freezeEmbeddings, freezeLayers);
    }

    public TrainingConfig withMaxGradNorm(double v) {
        return new TrainingConfig(learningRate, batchSize, epochs, weightDecay, warmupRatio, v,
                gradientAccumulationSteps, maxLength, seed, earlyStoppingPatience, freezeEmbeddings, freezeLayers);
    }

    public TrainingConfig withGradientAccumulationSteps(int v) {
        return new TrainingConfig(learningRate, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm,
                v, maxLength, seed, earlyStoppingPatience, freezeEmbeddings, freezeLayers);
    }

    public TrainingConfig withMaxLength(int v) {
        return new TrainingConfig(learningRate, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm,
                gradientAccumulationSteps, v, seed, earlyStoppingPatience, freezeEmbeddings, freezeLayers);
    }

    public TrainingConfig withSeed(long v) {
        return new TrainingConfig(learningRate, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm,
                gradientAccumulationSteps, maxLength, v, earlyStoppingPatience, freezeEmbeddings, freezeLayers);
    }

    public TrainingConfig withEarlyStoppingPatience(int v) {
        return new TrainingConfig(learningRate, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm,
                gradientAccumulationSteps, maxLength, seed, v, freezeEmbeddings, freezeLayers);
    }

    public TrainingConfig withFreezeEmbeddings(boolean v) {
        return new TrainingConfig(learningRate, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm,
                gradientAccumulationSteps, maxLength, seed, earlyStoppingPatience, v, freezeLayers);
    }

    public TrainingConfig withFreezeLayers(int v) {
        return new TrainingConfig(learningRate, batchSize, epochs, weightDecay, warmupRatio, maxGradNorm,
                gradientAccumulationSteps, maxLength, seed, earlyStoppingPatience, freezeEmbeddings, v);
    }
}
