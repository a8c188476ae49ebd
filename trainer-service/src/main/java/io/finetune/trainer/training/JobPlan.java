package io.finetune.trainer.training;

import ai.djl.Device;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.TrainingJob;
import io.finetune.distilbert.TrainingConfig;

import java.util.List;

/**
 * A job made runnable: its prepared data, the model it starts from, the device and the settings it will train
 * with, all checked against each other. The REST check and the worker make it the same way ({@link JobPlanner}), so
 * a job the REST check accepted is not refused by the worker for a reason the check could have seen.
 */
public record JobPlan(TrainingJob job, DatasetShards data, BaseModel baseModel, Device device,
                      TrainingConfig config) {
    /**
     * Checks the dataset and resolves the settings against the model's configuration, the dataset's labels and the
     * device.
     *
     * @throws IllegalArgumentException why the job cannot run, every settings problem listed
     */
    public static JobPlan of(TrainingJob job, DatasetShards data, BaseModel baseModel, Device device) {
        List<String> labels = data.manifest().labels();
        if (labels.size() < 2) {
            throw new IllegalArgumentException("dataset '" + job.dataset() + "' has " + labels.size()
                    + " class(es): a classifier needs at least two");
        }
        if (data.split("train").isEmpty()) {
            throw new IllegalArgumentException("dataset '" + job.dataset() + "' has no training examples");
        }
        TrainingConfig config = HyperparameterPolicy.resolve(job.hyperparameters(), baseModel.config(labels),
                labels.size(), device);
        return new JobPlan(job, data, baseModel, device, config);
    }

    public List<String> labels() {
        return data.manifest().labels();
    }
}
