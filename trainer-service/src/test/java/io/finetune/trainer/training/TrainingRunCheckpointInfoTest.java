package io.finetune.trainer.training;

import ai.djl.Device;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.contracts.TrainingJob;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.TrainingConfig;
import io.finetune.distilbert.TrainingResult;
import io.finetune.trainer.ReviewData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a checkpoint says about how it was trained: the settings in effect, and on the final one how training ended. */
class TrainingRunCheckpointInfoTest {
    @TempDir
    Path temp;

    @Test
    void checkpointsRecordTheEffectiveSettingsAndTheFinalOneWhetherEarlyStoppingEndedTraining() throws Exception {
        Path model = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        ReviewData data = ReviewData.of("guards-test", model, 96, 24, 5);
        // A learning rate far too high for fine-tuning: validation loss soon stops improving, and patience 1 stops
        // the run before its 8 epochs. The job leaves warmupRatio, weightDecay and freezing to the defaults.
        Hyperparameters requested = Json.read("""
                {"learningRate": 0.005, "epochs": 8, "batchSize": 16, "maxLength": 64, "earlyStoppingPatience": 1,
                 "freezeLayers": 1}""", Hyperparameters.class);
        TrainingJob job = new TrainingJob(TrainingJob.VERSION, "job-guards", "guards-test", "distilbert-tiny",
                requested, Instant.parse("2026-01-01T00:00:00Z"));
        RecordingEvents events = RecordingEvents.uninterrupted();

        TrainingResult result = new TrainingRun(job, data.shards(), model, temp.resolve("work"), Device.cpu())
                .run(events);

        assertThat(result.stoppedEarly()).isTrue();
        List<CheckpointInfo> infos = events.infos;
        CheckpointInfo last = infos.get(infos.size() - 1);
        assertThat(last.checkpointId()).isEqualTo("job-guards-final");
        assertThat(last.last()).isTrue();
        assertThat(last.stoppedEarly()).isTrue();
        assertThat(last.epoch()).isEqualTo(result.bestEpoch().epoch());
        assertThat(last.history()).hasSizeLessThan(8);
        assertThat(infos.subList(0, infos.size() - 1)).allSatisfy(info -> {
            assertThat(info.last()).isFalse();
            assertThat(info.stoppedEarly()).as("unknown until the run is over").isNull();
        });
        TrainingConfig defaults = TrainingConfig.defaults();
        assertThat(infos).allSatisfy(info -> {
            assertThat(info.hyperparameters()).isEqualTo(requested);
            Hyperparameters effective = info.effectiveHyperparameters();
            assertThat(effective.learningRate()).isEqualTo(0.005);
            assertThat(effective.epochs()).isEqualTo(8);
            assertThat(effective.earlyStoppingPatience()).isEqualTo(1);
            assertThat(effective.freezeLayers()).isEqualTo(1);
            assertThat(effective.warmupRatio()).isEqualTo(defaults.warmupRatio());
            assertThat(effective.weightDecay()).isEqualTo(defaults.weightDecay());
            assertThat(effective.freezeEmbeddings()).isFalse();
            assertThat(effective.metricForBestModel()).isEqualTo("loss");
        });
        // training_args.json, in the model directory users take away, in Hugging Face's names.
        com.fasterxml.jackson.databind.JsonNode arguments = Json.MAPPER.readTree(Files.readString(events.checkpoints
                .get("job-guards-final").resolve(io.finetune.contracts.TrainingSettings.TRAINING_ARGS_FILE)));
        assertThat(arguments.path("learning_rate").asDouble()).isEqualTo(0.005);
        assertThat(arguments.path("num_train_epochs").asInt()).isEqualTo(8);
        assertThat(arguments.path("weight_decay").asDouble()).isEqualTo(defaults.weightDecay());
        assertThat(arguments.path("lr_scheduler_type").asText()).isEqualTo("linear");
        // checkpoint.json, which the evaluator reads, says the same.
        CheckpointInfo written = Json.read(Files.readString(events.checkpoints.get("job-guards-final")
                .resolve(CheckpointInfo.FILE_NAME)), CheckpointInfo.class);
        assertThat(written).isEqualTo(last);
    }

    @Test
    void withoutEvaluationWhileTrainingOnlyTheFinalCheckpointIsPublishedWithItsOneEvaluation() {
        Path model = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        ReviewData data = ReviewData.of("no-eval-test", model, 96, 24, 5);
        // 96 reviews / batch 16 = 6 steps an epoch, 12 in all.
        TrainingJob job = new TrainingJob(TrainingJob.VERSION, "job-no-eval", "no-eval-test", "distilbert-tiny",
                Json.read("""
                        {"learningRate": 0.005, "epochs": 2, "batchSize": 16, "maxLength": 64,
                         "eval_strategy": "no"}""", Hyperparameters.class), Instant.parse("2026-01-01T00:00:00Z"));
        RecordingEvents events = RecordingEvents.uninterrupted();

        new TrainingRun(job, data.shards(), model, temp.resolve("work"), Device.cpu()).run(events);

        assertThat(events.checkpoints).containsOnlyKeys("job-no-eval-final");
        CheckpointInfo last = events.infos.get(0);
        assertThat(last.last()).isTrue();
        assertThat(last.stoppedEarly()).isFalse();
        assertThat(last.step()).isEqualTo(12);
        assertThat(last.history()).singleElement().satisfies(evaluation -> {
            assertThat(evaluation.step()).isEqualTo(12);
            assertThat(evaluation.validationLoss()).isEqualTo(last.validationLoss());
            assertThat(evaluation.validationAccuracy()).isEqualTo(last.validationAccuracy());
            assertThat(evaluation.validationMetrics()).containsKeys("accuracy", "macro_f1", "roc_auc");
        });
        Hyperparameters effective = last.effectiveHyperparameters();
        assertThat(effective.evalStrategy()).isEqualTo("no");
        assertThat(effective.loadBestModelAtEnd()).isFalse();
        assertThat(effective.evalSteps()).isZero();
    }

    @Test
    void theLastWeightsKeptByMacroF1RecordTheMetricItsDirectionAndEveryEvaluationsMetrics() {
        Path model = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        ReviewData data = ReviewData.of("last-test", model, 96, 24, 5);
        TrainingJob job = new TrainingJob(TrainingJob.VERSION, "job-last", "last-test", "distilbert-tiny",
                Json.read("""
                        {"learningRate": 0.005, "epochs": 2, "batchSize": 16, "maxLength": 64,
                         "metric_for_best_model": "eval_macro_f1", "load_best_model_at_end": false}""",
                        Hyperparameters.class), Instant.parse("2026-01-01T00:00:00Z"));
        RecordingEvents events = RecordingEvents.uninterrupted();

        new TrainingRun(job, data.shards(), model, temp.resolve("work"), Device.cpu()).run(events);

        assertThat(events.checkpoints).containsOnlyKeys("job-last-epoch-1", "job-last-epoch-2", "job-last-final");
        CheckpointInfo last = events.infos.get(2);
        assertThat(last.epoch()).as("the last evaluation, whatever the best").isEqualTo(2);
        assertThat(last.validationLoss()).isEqualTo(events.infos.get(1).validationLoss());
        assertThat(last.history()).hasSize(2).allSatisfy(evaluation -> assertThat(evaluation.validationMetrics())
                .containsOnlyKeys("accuracy", "macro_f1", "weighted_f1", "log_loss", "roc_auc", "pr_auc"));
        TrainingRunResumeTest.assertSameWeights(events.checkpoints.get("job-last-final"),
                events.checkpoints.get("job-last-epoch-2"));
        Hyperparameters effective = last.effectiveHyperparameters();
        assertThat(effective.metricForBestModel()).isEqualTo("macro_f1");
        assertThat(effective.greaterIsBetter()).isTrue();
        assertThat(effective.loadBestModelAtEnd()).isFalse();
        assertThat(effective.evalStrategy()).isEqualTo("epoch");
    }
}
