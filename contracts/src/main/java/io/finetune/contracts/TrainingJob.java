package io.finetune.contracts;

import java.time.Instant;
import java.util.Optional;

/**
 * A request to fine-tune {@code baseModel} on a prepared dataset, on {@link Topics#TRAINING_JOBS} (key = job id).
 *
 * @param baseModel    a bundled model name, a model directory, or a Hugging Face id such as distilbert-base-uncased;
 *                     {@link #SCRATCH} ({@code scratch:<shape>}) for a model with new weights, no pretraining; or
 *                     {@code checkpoint:<checkpointId>} ({@link #warmStart}) to continue from a checkpoint this
 *                     system trained: its encoder and classification head, with a new optimizer and schedule
 * @param settingsFrom the id of an earlier job whose hyperparameters, as that job was submitted, fill in the ones
 *                     this job leaves out (null: none); a job submitted over REST already carries the filled-in
 *                     settings, and this field says where they came from. Null in jobs written before it existed.
 * @param build        the build of the dataset to train on (a {@link ShardManifest#build()}): set by whoever knows it
 *                     (POST /jobs, the build the REST check planned on; a deployment's retraining, the build that
 *                     triggered it); null, the trainer pins the dataset's newest build when the job first starts.
 *                     Either way a resumed job reads the same build, however many builds came after it.
 */
public record TrainingJob(int v, String jobId, String dataset, String baseModel, Hyperparameters hyperparameters,
                          Instant submittedAt, String settingsFrom, String build) {
    public static final int VERSION = 1;
    /** The base model name that asks for new weights: {@code scratch}, or {@code scratch:<shape>}. */
    public static final String SCRATCH = "scratch";
    /** The prefix of a base model that names a checkpoint to warm-start from: {@code checkpoint:<checkpointId>}. */
    public static final String CHECKPOINT = "checkpoint:";

    /** A job that takes no settings from another, on the build the trainer pins when it first starts. */
    public TrainingJob(int v, String jobId, String dataset, String baseModel, Hyperparameters hyperparameters,
                       Instant submittedAt) {
        this(v, jobId, dataset, baseModel, hyperparameters, submittedAt, null, null);
    }

    /** A job on the build the trainer pins when it first starts. */
    public TrainingJob(int v, String jobId, String dataset, String baseModel, Hyperparameters hyperparameters,
                       Instant submittedAt, String settingsFrom) {
        this(v, jobId, dataset, baseModel, hyperparameters, submittedAt, settingsFrom, null);
    }

    /** True for {@code scratch} and {@code scratch:<shape>}: a run with no pretrained knowledge to start from. */
    public static boolean fromScratch(String baseModel) {
        return SCRATCH.equals(baseModel) || baseModel != null && baseModel.startsWith(SCRATCH + ":");
    }

    /** The checkpoint id of a base model {@code checkpoint:<checkpointId>}; empty for any other base model. */
    public static Optional<String> warmStart(String baseModel) {
        return baseModel != null && baseModel.startsWith(CHECKPOINT)
                ? Optional.of(baseModel.substring(CHECKPOINT.length())) : Optional.empty();
    }

    /** This job with other settings (the ones {@link #settingsFrom} filled in). */
    public TrainingJob withHyperparameters(Hyperparameters settings) {
        return new TrainingJob(v, jobId, dataset, baseModel, settings, submittedAt, settingsFrom, build);
    }

    /** This job on {@code dataBuild} of its dataset. */
    public TrainingJob onBuild(String dataBuild) {
        return new TrainingJob(v, jobId, dataset, baseModel, hyperparameters, submittedAt, settingsFrom, dataBuild);
    }
}
