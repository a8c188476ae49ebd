package io.finetune.trainer.training;

import ai.djl.Device;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.TrainingJob;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.ModelResolver;
import io.finetune.distilbert.Predictor;
import io.finetune.trainer.ReviewData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code baseModel: checkpoint:<id>}: a job continues a checkpoint another job published, with that checkpoint's
 * weights exactly, its head kept, and the dataset's labels and tokenizer checked against it. One checkpoint C is
 * trained once (distilbert-tiny, the sample reviews) and kept where the trainer keeps published checkpoints
 * ({@code <data-dir>/jobs/<job>/<checkpoint>/}).
 */
class WarmStartTest {
    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");
    private static final Hyperparameters FIRST = Json.read("""
            {"learningRate": 0.001, "epochs": 3, "batchSize": 16, "maxLength": 64, "seed": 3}""",
            Hyperparameters.class);

    @TempDir
    static Path temp;
    private static Path tiny;
    private static ReviewData data;
    private static Path jobs;
    private static CheckpointInfo c;
    private static Path cDir;

    @BeforeAll
    static void trainCheckpointC() {
        tiny = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        data = ReviewData.of("warm", tiny, 96, 32, 5);
        jobs = temp.resolve("data/jobs");
        RecordingEvents events = RecordingEvents.uninterrupted();
        new TrainingRun(new TrainingJob(TrainingJob.VERSION, "job-c", "warm", "distilbert-tiny", FIRST, T),
                data.shards(), tiny, jobs.resolve("job-c"), Device.cpu()).run(events);
        c = events.infos.get(events.infos.size() - 1);
        cDir = events.checkpoints.get("job-c-final");
        assertThat(cDir).isEqualTo(jobs.resolve("job-c/job-c-final"));
    }

    private JobPlanner planner(Map<String, TrainingJob> known) {
        return new JobPlanner(new BaseModels(new ModelResolver(temp.resolve("models")), new LocalCheckpoints(jobs)),
                "distilbert-tiny", DeviceMemory.fixed(Long.MAX_VALUE, "test"),
                new SettingsFrom(id -> Optional.ofNullable(known.get(id))));
    }

    private static TrainingJob job(String id, String baseModel, String hyperparameters) {
        return new TrainingJob(TrainingJob.VERSION, id, "warm", baseModel,
                hyperparameters == null ? null : Json.read(hyperparameters, Hyperparameters.class), T);
    }

    private List<int[]> validationIds() {
        return data.validation().examples().stream().map(TokenizedExample::inputIds).toList();
    }

    @Test
    void beforeAnyStepTheWarmStartedModelGivesExactlyTheCheckpointsLogits() {
        JobPlan plan = planner(Map.of()).plan(job("job-w0", "checkpoint:job-c-final", null), data.shards(),
                jobs.resolve("job-w0"), Device.cpu());

        assertThat(plan.baseModel()).isInstanceOf(BaseModel.WarmStart.class);
        float[][] warm;
        float[][] checkpoint;
        float[][] base;
        try (EncoderClassifier model = plan.baseModel().open(plan.labels(), Device.cpu(), plan.config().seed());
             EncoderClassifier fromC = EncoderClassifier.load(cDir, null, Device.cpu());
             EncoderClassifier fromBase = new BaseModel.Pretrained(tiny).open(plan.labels(), Device.cpu(), 42)) {
            warm = Predictor.logits(model, validationIds(), 8);
            checkpoint = Predictor.logits(fromC, validationIds(), 8);
            base = Predictor.logits(fromBase, validationIds(), 8);
        }
        assertThat(warm).isDeepEqualTo(checkpoint);
        assertThat(warm[0][0]).as("C is not the base model").isNotEqualTo(base[0][0]);
        // The copy lives in the job's work directory, away from C's own directory (which may be deleted).
        assertThat(jobs.resolve("job-w0/warm-start/job-c-final/model.safetensors")).exists();
        assertThat(plan.baseModel().config(plan.labels())).isEqualTo(plan.baseModel().config(ReviewData.LABELS));
    }

    @Test
    void aShortWarmStartedRunStartsFromTheCheckpointsValidationLossNotTheBaseModels() {
        // One step at a learning rate too small to move anything: the first evaluation measures the start.
        String oneTinyStep = """
                {"learningRate": 1e-9, "maxSteps": 1, "batchSize": 16, "maxLength": 64, "seed": 3}""";
        RecordingEvents warm = RecordingEvents.uninterrupted();
        RecordingEvents fresh = RecordingEvents.uninterrupted();
        JobPlanner planner = planner(Map.of());

        new TrainingRun(planner.plan(job("job-w1", "checkpoint:job-c-final", oneTinyStep), data.shards(),
                jobs.resolve("job-w1"), Device.cpu()), jobs.resolve("job-w1")).run(warm);
        new TrainingRun(planner.plan(job("job-b1", "distilbert-tiny", oneTinyStep), data.shards(),
                jobs.resolve("job-b1"), Device.cpu()), jobs.resolve("job-b1")).run(fresh);

        double warmLoss = warm.infos.get(0).validationLoss();
        double freshLoss = fresh.infos.get(0).validationLoss();
        assertThat(warmLoss).isCloseTo(c.validationLoss(), within(1e-4));
        assertThat(warmLoss).as("C learned something the base model has not").isLessThan(freshLoss - 0.05);
        // Lineage: the warm start's checkpoints name the checkpoint they continue.
        assertThat(warm.infos).allSatisfy(info -> assertThat(info.baseModel()).isEqualTo("checkpoint:job-c-final"));
        // A new run: the schedule counts from step 1, not from where C's run ended.
        assertThat(warm.infos.get(0).step()).isEqualTo(1);
    }

    @Test
    void settingsFromFillsInWhatTheJobLeavesOutAndTheCheckpointRecordsTheFilledInSettings() {
        TrainingJob first = job("job-first", "distilbert-tiny", """
                {"learningRate": 1e-9, "maxSteps": 1, "batchSize": 16, "maxLength": 64, "seed": 9}""");
        TrainingJob second = new TrainingJob(TrainingJob.VERSION, "job-second", "warm", "checkpoint:job-c-final",
                Json.read("{\"seed\": 4}", Hyperparameters.class), T, "job-first");
        RecordingEvents events = RecordingEvents.uninterrupted();

        JobPlan plan = planner(Map.of("job-first", first)).plan(second, data.shards(), jobs.resolve("job-second"),
                Device.cpu());
        new TrainingRun(plan, jobs.resolve("job-second")).run(events);

        Hyperparameters expected = Json.read("""
                {"learningRate": 1e-9, "maxSteps": 1, "batchSize": 16, "maxLength": 64, "seed": 4}""",
                Hyperparameters.class);
        assertThat(plan.job().hyperparameters()).isEqualTo(expected);
        assertThat(plan.job().settingsFrom()).isEqualTo("job-first");
        assertThat(plan.config().seed()).isEqualTo(4);
        assertThat(events.infos.get(0).hyperparameters()).isEqualTo(expected);
        assertThat(events.infos.get(0).effectiveHyperparameters().maxSteps()).isEqualTo(1);
    }

    @Test
    void anUnknownCheckpointIsRefusedSayingWhereItWasLookedFor() {
        assertThatThrownBy(() -> planner(Map.of()).plan(job("job-x", "checkpoint:job-nope-final", null),
                data.shards(), temp.resolve("x"), Device.cpu()))
                .isInstanceOf(UnrunnableJobException.class)
                .hasMessageContaining("checkpoint 'job-nope-final'").hasMessageContaining("was not found in")
                .hasMessageContaining(jobs.toString());
        assertThatThrownBy(() -> planner(Map.of()).plan(job("job-x", "checkpoint:../job-c", null),
                data.shards(), temp.resolve("x"), Device.cpu()))
                .isInstanceOf(UnrunnableJobException.class).hasMessageContaining("must name a checkpoint id");
    }

    @Test
    void labelsInAnotherOrderAreRefusedSinceTheHeadIsKept() {
        DatasetShards swapped = with(List.of("positive", "negative"), "distilbert-tiny");

        assertThatThrownBy(() -> planner(Map.of()).plan(job("job-x", "checkpoint:job-c-final", null), swapped,
                temp.resolve("y"), Device.cpu()))
                .isInstanceOf(UnrunnableJobException.class)
                .hasMessageContaining("classifies into [negative, positive]")
                .hasMessageContaining("has labels [positive, negative]")
                .hasMessageContaining("same order");
    }

    @Test
    void aDatasetTokenizedWithAnotherTokenizerIsRefused() {
        DatasetShards other = with(ReviewData.LABELS, "bert-base-uncased@sha256:" + "0".repeat(64));

        assertThatThrownBy(() -> planner(Map.of()).plan(job("job-x", "checkpoint:job-c-final", null), other,
                temp.resolve("z"), Device.cpu()))
                .isInstanceOf(UnrunnableJobException.class)
                .hasMessageContaining("tokenized with bert-base-uncased's tokenizer")
                .hasMessageContaining("checkpoint:job-c-final");
    }

    @Test
    void theSameTokenizerByHashIsAccepted() throws Exception {
        String sha = io.finetune.contracts.Hashing.sha256Hex(Files.readAllBytes(tiny.resolve("tokenizer.json")));
        DatasetShards same = with(ReviewData.LABELS, "distilbert-tiny@sha256:" + sha);

        assertThat(planner(Map.of()).plan(job("job-t", "checkpoint:job-c-final", null), same, temp.resolve("t"),
                Device.cpu()).baseModel()).isInstanceOf(BaseModel.WarmStart.class);
    }

    private DatasetShards with(List<String> labels, String tokenizer) {
        ShardManifest m = data.manifest();
        return new DatasetShards(new ShardManifest(m.v(), m.dataset(), m.build(), labels, m.shards(), m.counts(),
                tokenizer, m.model(), m.maxLength(), m.configHash(), m.report()), data.shards().splits());
    }
}
