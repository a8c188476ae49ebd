package io.finetune.trainer.training;

import io.finetune.contracts.Directories;
import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.TrainingJob;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.EpochResult;
import io.finetune.distilbert.Example;
import io.finetune.distilbert.FineTuner;
import io.finetune.distilbert.Precision;
import io.finetune.distilbert.StateStore;
import io.finetune.distilbert.StepProgress;
import io.finetune.distilbert.TrainingConfig;
import io.finetune.distilbert.TrainingListener;
import io.finetune.distilbert.TrainingResult;
import io.finetune.distilbert.TrainingState;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One fine-tuning job, start to finish, with no Quarkus in it: load the base model with the dataset's labels,
 * fine-tune, and hand a checkpoint to {@link RunEvents} after every evaluation while training ({@code <job>-epoch-N}
 * or {@code <job>-step-N}; none with {@code evalStrategy} {@code no}) and once more for the final model
 * ({@code <job>-final}: the best evaluation's weights, or the last ones). Resumable states go to {@code <workDir>/states}; a run started on a work directory that holds one
 * continues from it, so running the same job again after a crash finishes what the crashed attempt started.
 */
public final class TrainingRun {
    public static final String STATES_DIR = "states";

    private final JobPlan plan;
    private final TrainingJob job;
    private final Path workDir;

    /** Fine-tunes the pretrained checkpoint in {@code baseModelDir}. */
    public TrainingRun(TrainingJob job, DatasetShards data, Path baseModelDir, Path workDir, Device device) {
        this(job, data, new BaseModel.Pretrained(baseModelDir), workDir, device);
    }

    public TrainingRun(TrainingJob job, DatasetShards data, BaseModel baseModel, Path workDir, Device device) {
        this(JobPlan.of(job, data, baseModel, device), workDir);
    }

    public TrainingRun(JobPlan plan, Path workDir) {
        this.plan = plan;
        this.job = plan.job();
        this.workDir = workDir;
    }

    public TrainingResult run(RunEvents events) {
        List<String> labels = plan.labels();
        List<Example> train = examples(plan.data().split("train"));
        List<Example> validation = examples(plan.data().split("validation"));
        TrainingConfig config = plan.config();
        Device device = plan.device();
        // The seed also initialises a new classification head, so the model opens with the resolved one.
        try (EncoderClassifier model = plan.baseModel().open(labels, device, config.seed())) {
            List<CheckpointInfo.EpochMetrics> history = new ArrayList<>();
            events.started(device.toString(), JniUtils.getNumThreads(), train.size(), effective(config));
            StateStore states = new StateStore(workDir.resolve(STATES_DIR), config.saveTotalLimit());
            TrainingResult result = new FineTuner(config).train(model, train, validation, new TrainingListener() {
                @Override
                public void onResumed(TrainingState state) {
                    state.history().forEach(e -> history.add(metrics(e)));
                    events.resumed(state.step(), state.epoch());
                }

                @Override
                public void onStep(StepProgress progress) {
                    events.step(progress);
                }

                @Override
                public void onEvaluation(EpochResult evaluation) {
                    CheckpointInfo.EpochMetrics metrics = metrics(evaluation);
                    history.add(metrics);
                    events.epochEnded(metrics);
                    // Without evaluations while training, the one after the last step goes with the final checkpoint.
                    if (config.evalStrategy() != TrainingConfig.EvalStrategy.NO) {
                        String name = config.evalStrategy() == TrainingConfig.EvalStrategy.STEPS
                                ? "step-" + evaluation.step() : "epoch-" + evaluation.epoch();
                        publish(model, events, name, evaluation, config, null, history);
                    }
                }

                @Override
                public boolean isCancelled() {
                    return events.cancelled();
                }
            }, states);
            if (!result.cancelled() && result.keptEpoch() != null) {
                publish(model, events, "final", result.keptEpoch(), config, result.stoppedEarly(), history);
            }
            return result;
        }
    }

    /** Deletes the job's resumable states, once its final checkpoint is published and they are of no more use. */
    public static void deleteStates(Path workDir) {
        Directories.delete(workDir.resolve(STATES_DIR));
    }

    private static CheckpointInfo.EpochMetrics metrics(EpochResult e) {
        return new CheckpointInfo.EpochMetrics(e.epoch(), e.step(), e.trainLoss(), e.validationLoss(),
                e.validationAccuracy(), e.validationMetrics());
    }

    /** @param stoppedEarly how training ended, for the final checkpoint; null for one published after an evaluation */
    private void publish(EncoderClassifier model, RunEvents events, String name, EpochResult epoch,
                         TrainingConfig config, Boolean stoppedEarly, List<CheckpointInfo.EpochMetrics> history) {
        String checkpointId = job.jobId() + "-" + name;
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.VERSION, job.jobId(), checkpointId, job.dataset(),
                plan.data().manifest().build(), job.baseModel(), epoch.epoch(), epoch.step(), stoppedEarly != null,
                epoch.trainLoss(), epoch.validationLoss(), epoch.validationAccuracy(), job.hyperparameters(),
                List.copyOf(history), effective(config), stoppedEarly);
        Path dir = CheckpointWriter.write(model, plan.baseModel().tokenizerDir(), info, workDir.resolve(checkpointId));
        events.checkpoint(info, dir);
    }

    /**
     * The settings training ran with, in the contract's terms, so the evaluator reports what was used instead of
     * guessing the trainer's defaults.
     */
    static Hyperparameters effective(TrainingConfig c) {
        return new Hyperparameters(c.learningRate(), c.batchSize(), c.epochs(), c.weightDecay(), c.warmupRatio(),
                c.maxGradNorm(), c.gradientAccumulationSteps(), c.maxLength(), c.seed(), c.earlyStoppingPatience(),
                c.freezeEmbeddings(), c.freezeLayers(), c.evalSteps(), c.metricForBestModel().key(),
                c.saveStateEverySteps(), c.saveTotalLimit(),
                c.groupByLength(), c.classWeights(), c.precision() == Precision.BF16, c.precision() == Precision.FP16,
                c.tf32(), c.lrSchedulerType().huggingFaceName(), c.warmupSteps(), c.adamBeta1(), c.adamBeta2(),
                c.adamEpsilon(), c.labelSmoothingFactor(), c.validationBatchSize(), c.batchOrderSeed(),
                c.earlyStoppingThreshold(), c.maxSteps(), c.evalStrategy().huggingFaceName(), c.loadBestModelAtEnd(),
                c.metricForBestModel().greaterIsBetter());
    }

    private static List<Example> examples(List<TokenizedExample> tokenized) {
        return tokenized.stream().map(t -> new Example(t.inputIds(), t.label())).toList();
    }
}
