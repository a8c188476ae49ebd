package io.finetune.contracts;

/**
 * Training settings of a job. Null means "the trainer's default", which follows the Hugging Face IMDB guide
 * (learning rate 2e-5, batch 16, 2 epochs, weight decay 0.01, max length 512).
 */
public record Hyperparameters(Double learningRate, Integer batchSize, Integer epochs, Double weightDecay,
                              Double warmupRatio, Double maxGradNorm, Integer gradientAccumulationSteps,
                              Integer maxLength, Long seed, Integer earlyStoppingPatience, Boolean freezeEmbeddings,
                              Integer freezeLayers) {
    public static Hyperparameters defaults() {
        return new Hyperparameters(null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
