package io.finetune.trainer.training;

import ai.djl.Device;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.TrainingJob;
import io.finetune.distilbert.DistilBertClassifier;
import io.finetune.distilbert.EpochResult;
import io.finetune.distilbert.Example;
import io.finetune.distilbert.FineTuner;
import io.finetune.distilbert.StepProgress;
import io.finetune.distilbert.TrainingConfig;
import io.finetune.distilbert.TrainingListener;
import io.finetune.distilbert.TrainingResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One fine-tuning job, start to finish, with no Quarkus in it: load the base model with the dataset's labels,
 * fine-tune, and hand a checkpoint to {@link RunEvents} after every epoch and once more for the final (best) model.
 */
public final class TrainingRun {
    private final TrainingJob job;
    private final DatasetShards data;
    private final Path baseModelDir;
    private final Path workDir;
    private final Device device;

    public TrainingRun(TrainingJob job, DatasetShards data, Path baseModelDir, Path workDir, Device device) {
        this.job = job;
        this.data = data;
        this.baseModelDir = baseModelDir;
        this.workDir = workDir;
        this.device = device;
    }

    public TrainingResult run(RunEvents events) {
        List<String> labels = data.manifest().labels();
        if (labels.size() < 2) {
            throw new IllegalArgumentException("dataset " + job.dataset() + " has " + labels.size()
                    + " class(es): a classifier needs at least two");
        }
        List<Example> train = examples(data.split("train"));
        List<Example> validation = examples(data.split("validation"));
        if (train.isEmpty()) {
            throw new IllegalArgumentException("dataset " + job.dataset() + " has no training examples");
        }
        try (DistilBertClassifier model = DistilBertClassifier.load(baseModelDir, labels, device)) {
            TrainingConfig config = HyperparameterPolicy.resolve(job.hyperparameters(), model.config());
            List<CheckpointInfo.EpochMetrics> history = new ArrayList<>();
            events.started(device.toString(), train.size(), config.epochs());
            TrainingResult result = new FineTuner(config).train(model, train, validation, new TrainingListener() {
                @Override
                public void onStep(StepProgress progress) {
                    events.step(progress);
                }

                @Override
                public void onEpochEnd(EpochResult epoch) {
                    CheckpointInfo.EpochMetrics metrics = new CheckpointInfo.EpochMetrics(epoch.epoch(), epoch.step(),
                            epoch.trainLoss(), epoch.validationLoss(), epoch.validationAccuracy());
                    history.add(metrics);
                    events.epochEnded(metrics);
                    publish(model, events, "epoch-" + epoch.epoch(), epoch, false, history);
                }

                @Override
                public boolean isCancelled() {
                    return events.cancelled();
                }
            });
            if (!result.cancelled() && result.bestEpoch() != null) {
                publish(model, events, "final", result.bestEpoch(), true, history);
            }
            return result;
        }
    }

    private void publish(DistilBertClassifier model, RunEvents events, String name, EpochResult epoch, boolean last,
                         List<CheckpointInfo.EpochMetrics> history) {
        String checkpointId = job.jobId() + "-" + name;
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.VERSION, job.jobId(), checkpointId, job.dataset(),
                data.manifest().build(), job.baseModel(), epoch.epoch(), epoch.step(), last, epoch.trainLoss(),
                epoch.validationLoss(), epoch.validationAccuracy(), job.hyperparameters(), List.copyOf(history));
        Path dir = CheckpointWriter.write(model, baseModelDir, info, workDir.resolve(checkpointId));
        events.checkpoint(info, dir);
    }

    private static List<Example> examples(List<TokenizedExample> tokenized) {
        return tokenized.stream().map(t -> new Example(t.inputIds(), t.label())).toList();
    }
}
