package io.finetune.contracts;

import java.time.Instant;

/**
 * A request to fine-tune {@code baseModel} on a prepared dataset, on {@link Topics#TRAINING_JOBS} (key = job id).
 *
 * @param baseModel a bundled model name, a model directory, or a Hugging Face id such as distilbert-base-uncased; or
 *                  {@link #SCRATCH} ({@code scratch:<shape>}) for a model with new weights, no pretraining
 */
public record TrainingJob(int v, String jobId, String dataset, String baseModel, Hyperparameters hyperparameters,
                          Instant submittedAt) {
    public static final int VERSION = 1;
    /** The base model name that asks for new weights: {@code scratch}, or {@code scratch:<shape>}. */
    public static final String SCRATCH = "scratch";

    /** True for {@code scratch} and {@code scratch:<shape>}: a run with no pretrained knowledge to start from. */
    public static boolean fromScratch(String baseModel) {
        return SCRATCH.equals(baseModel) || baseModel != null && baseModel.startsWith(SCRATCH + ":");
    }
}
