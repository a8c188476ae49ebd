package io.finetune.trainer.training;

import ai.djl.Device;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.TrainingJob;

import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.TrainingConfig;

import java.nio.file.Path;

/**
 * Plans jobs: the settings of a job's {@code settingsFrom} filled in ({@link SettingsFrom}), the base model it names (or
 * the configured default) resolved for its dataset, then {@link JobPlan#of},
 * then a check that its training fits in the device's memory ({@link MemoryEstimate}, {@link DeviceMemory}).
 */
public final class JobPlanner {
    private final BaseModels baseModels;
    private final String defaultBaseModel;
    private final DeviceMemory memory;
    private final SettingsFrom settingsFrom;

    /** A planner that knows no other jobs: a job with {@code settingsFrom} is refused. */
    public JobPlanner(BaseModels baseModels, String defaultBaseModel, DeviceMemory memory) {
        this(baseModels, defaultBaseModel, memory, SettingsFrom.none());
    }

    public JobPlanner(BaseModels baseModels, String defaultBaseModel, DeviceMemory memory,
                      SettingsFrom settingsFrom) {
        this.baseModels = baseModels;
        this.defaultBaseModel = defaultBaseModel;
        this.memory = memory;
        this.settingsFrom = settingsFrom;
    }

    /** The model a job starts from: the one it names, else the trainer's default. */
    public String baseModelOf(TrainingJob job) {
        return job.baseModel() == null || job.baseModel().isBlank() ? defaultBaseModel : job.baseModel();
    }

    /**
     * The plan's job is {@code job} with its {@code settingsFrom} applied: the settings it trains with, as submitted.
     *
     * @param workDir where a base model that needs files of its own (a scratch model's tokenizer, a warm start's
     *                checkpoint) puts them
     * @throws UnrunnableJobException why the job cannot run: a model or checkpoint that cannot be found or
     *                                downloaded (with where it was looked for and how to provide it), an unknown
     *                                {@code settingsFrom} job, a dataset that does not fit the model, settings out of
     *                                bounds, training that needs more memory than the device has (how much it
     *                                needs, how much there is, what to lower)
     */
    public JobPlan plan(TrainingJob job, DatasetShards data, Path workDir, Device device) {
        try {
            TrainingJob settled = settingsFrom.apply(job);
            JobPlan plan = JobPlan.of(settled, data, baseModels.resolve(baseModelOf(settled), data, workDir),
                    device);
            checkMemory(plan);
            return plan;
        } catch (IllegalArgumentException reason) { // what SettingsFrom, ModelResolver, BaseModels, JobPlan refuse
            throw new UnrunnableJobException(reason);
        }
    }

    /**
     * Refuses a job whose training step cannot fit, before it takes the trainer down (out of memory kills the
     * process, and a restart would run it again). A device whose memory cannot be read is not checked.
     */
    private void checkMemory(JobPlan plan) {
        EncoderConfig model = plan.baseModel().config(plan.labels());
        TrainingConfig settings = plan.config();
        MemoryEstimate needed = MemoryEstimate.of(model, settings);
        memory.available(plan.device()).filter(available -> needed.total() > available.bytes())
                .ifPresent(available -> {
                    throw new IllegalArgumentException(refusal(model, settings, needed, available, plan.device()));
                });
    }

    static String refusal(EncoderConfig model, TrainingConfig settings, MemoryEstimate needed,
                          DeviceMemory.Available available, Device device) {
        String fits = largestBatchThatFits(model, settings, available.bytes())
                .map(batch -> "batchSize " + batch + " would fit at this maxLength; ")
                .orElse("no batch size fits at this maxLength; ");
        return "training needs about " + needed.describe() + " on " + device + ", but there is "
                + MemoryEstimate.describe(Math.max(0, available.bytes())) + " (" + available.source() + "). Lower"
                + " batchSize (now " + settings.batchSize() + ") or maxLength (now " + settings.maxLength() + "): "
                + fits + "raise gradientAccumulationSteps (now " + settings.gradientAccumulationSteps() + ") to keep"
                + " the effective batch (batchSize x gradientAccumulationSteps) without its memory";
    }

    /** The largest power of two below the job's batch size whose training fits; empty when not even 1 does. */
    static java.util.Optional<Integer> largestBatchThatFits(EncoderConfig model, TrainingConfig settings,
                                                            long available) {
        for (int batch = Integer.highestOneBit(Math.max(1, settings.batchSize() - 1)); batch >= 1; batch /= 2) {
            if (MemoryEstimate.of(model, settings.withBatchSize(batch)).total() <= available) {
                return java.util.Optional.of(batch);
            }
        }
        return java.util.Optional.empty();
    }
}
