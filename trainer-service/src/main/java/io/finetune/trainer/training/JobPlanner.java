package io.finetune.trainer.training;

import ai.djl.Device;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.TrainingJob;

import java.nio.file.Path;

/** Plans jobs: the base model a job names (or the configured default) resolved for its dataset, then {@link JobPlan#of}. */
public final class JobPlanner {
    private final BaseModels baseModels;
    private final String defaultBaseModel;

    public JobPlanner(BaseModels baseModels, String defaultBaseModel) {
        this.baseModels = baseModels;
        this.defaultBaseModel = defaultBaseModel;
    }

    /** The model a job starts from: the one it names, else the trainer's default. */
    public String baseModelOf(TrainingJob job) {
        return job.baseModel() == null || job.baseModel().isBlank() ? defaultBaseModel : job.baseModel();
    }

    /**
     * @param workDir where a base model that needs files of its own (a scratch model's tokenizer) puts them
     * @throws UnrunnableJobException why the job cannot run: a model that cannot be found or downloaded (with where
     *                                it was looked for and how to provide it), a dataset that does not fit the
     *                                model, settings out of bounds
     */
    public JobPlan plan(TrainingJob job, DatasetShards data, Path workDir, Device device) {
        try {
            return JobPlan.of(job, data, baseModels.resolve(baseModelOf(job), data, workDir), device);
        } catch (IllegalArgumentException reason) { // what ModelResolver, BaseModels and JobPlan refuse a job with
            throw new UnrunnableJobException(reason);
        }
    }
}
