package io.finetune.contracts;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointInfoTest {
    private static final Hyperparameters REQUESTED = Json.read("{\"learningRate\": 3e-5}", Hyperparameters.class);
    private static final Hyperparameters EFFECTIVE = Json.read("{\"learningRate\": 3e-5, \"epochs\": 2, "
            + "\"earlyStoppingPatience\": 0, \"freezeEmbeddings\": false}", Hyperparameters.class);

    @Test
    void theFinalCheckpointKeepsEffectiveSettingsAndHowTrainingEndedThroughJson() {
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.VERSION, "j", "j-final", "d", "b", "distilbert-tiny",
                1, 10, true, 0.4, 0.3, 0.9, REQUESTED, List.of(new CheckpointInfo.EpochMetrics(1, 10, 0.4, 0.3, 0.9)),
                EFFECTIVE, true);

        CheckpointInfo read = Json.read(Json.write(info), CheckpointInfo.class);

        assertThat(read).isEqualTo(info);
        assertThat(read.effectiveHyperparameters().epochs()).isEqualTo(2);
        assertThat(read.stoppedEarly()).isTrue();
    }

    @Test
    void checkpointsWrittenBeforeTheNewFieldsStillReadWithUnknownValues() {
        String old = """
                {"v": 1, "jobId": "j", "checkpointId": "j-epoch-1", "dataset": "d", "build": "b",
                 "baseModel": "distilbert-tiny", "epoch": 1, "step": 10, "last": false,
                 "hyperparameters": {"learningRate": 3e-5}, "history": []}""";

        CheckpointInfo read = Json.read(old, CheckpointInfo.class);

        assertThat(read.hyperparameters()).isEqualTo(REQUESTED);
        assertThat(read.effectiveHyperparameters()).isNull();
        assertThat(read.stoppedEarly()).isNull();
        assertThat(new CheckpointInfo(1, "j", "j-epoch-1", "d", "b", "distilbert-tiny", 1, 10, false, null, null,
                null, REQUESTED, List.of())).isEqualTo(read);
    }

    @Test
    void evaluationsKeepTheEvaluatorsMetricsAndOldOnesReadWithoutThem() {
        CheckpointInfo.EpochMetrics recorded = new CheckpointInfo.EpochMetrics(1, 10, 0.4, 0.3, 0.9,
                Map.of("accuracy", 0.9, "macro_f1", 0.85, "roc_auc", 0.95));
        assertThat(Json.read(Json.write(recorded), CheckpointInfo.EpochMetrics.class)).isEqualTo(recorded);

        CheckpointInfo.EpochMetrics old = Json.read("""
                {"epoch": 1, "step": 10, "trainLoss": 0.4, "validationLoss": 0.3, "validationAccuracy": 0.9}""",
                CheckpointInfo.EpochMetrics.class);
        assertThat(old).isEqualTo(new CheckpointInfo.EpochMetrics(1, 10, 0.4, 0.3, 0.9));
        assertThat(old.validationMetrics()).isNull();
    }

    @Test
    void scratchBaseModelsAreTheOnesWithoutPretraining() {
        assertThat(TrainingJob.fromScratch("scratch")).isTrue();
        assertThat(TrainingJob.fromScratch("scratch:tiny")).isTrue();
        assertThat(TrainingJob.fromScratch("distilbert-base-uncased")).isFalse();
        assertThat(TrainingJob.fromScratch("/models/scratchpad-bert")).isFalse();
        assertThat(TrainingJob.fromScratch(null)).isFalse();
    }
}
