package io.finetune.contracts;

import java.time.Instant;

/**
 * A request to fine-tune {@code baseModel} on a prepared dataset, on {@link Topics#TRAINING_JOBS} (key = job id).
 *
 * @param baseModel a bundled model name, a model directory, or a Hugging Face id such as distilbert-base-uncased
 */
public record TrainingJob(int v, String jobId, String dataset, String baseModel, Hyperparameters hyperparameters,
                          Instant submittedAt) {
    public static final int VERSION = 1;
}
