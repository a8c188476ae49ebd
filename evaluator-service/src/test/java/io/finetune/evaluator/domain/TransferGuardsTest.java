package io.finetune.evaluator.domain;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.CheckpointInfo.EpochMetrics;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TransferGuardsTest {
    private static final List<EpochMetrics> TWO_EPOCHS = List.of(new EpochMetrics(1, 10, 0.5, 0.4, 0.8),
            new EpochMetrics(2, 20, 0.3, 0.45, 0.8));

    @Test
    void theSettingsTheTrainerRecordedAreTheOnesShown() {
        CheckpointInfo info = checkpoint("distilbert-base-uncased", true, "{\"learningRate\": 9e-5}", TWO_EPOCHS,
                Json.read("""
                        {"learningRate": 3e-5, "epochs": 5, "earlyStoppingPatience": 1,
                         "metricForBestModel": "accuracy", "warmupRatio": 0.1, "weightDecay": 0.01,
                         "freezeEmbeddings": true, "freezeLayers": 2}""",
                        Hyperparameters.class), true, 1);

        TransferGuards g = TransferGuards.of(info);

        assertThat(g).isEqualTo(new TransferGuards("distilbert-base-uncased", true, 3e-5, 5, 2, 1, true, 1,
                "accuracy", true, 0.1, 0.01, true, 2, true));
        assertThat(g.nothingFrozen()).isFalse();
    }

    @Test
    void aFinalCheckpointWithTheLastWeightsSaysSo() {
        TransferGuards g = TransferGuards.of(checkpoint("distilbert-base-uncased", true, null, TWO_EPOCHS, Json.read(
                "{\"metricForBestModel\": \"macro_f1\", \"loadBestModelAtEnd\": false}", Hyperparameters.class),
                false, 2));

        assertThat(g.loadBestModelAtEnd()).isFalse();
        assertThat(g.metricForBestModel()).isEqualTo("macro_f1");
        assertThat(g.keptEpoch()).isEqualTo(2);
    }

    @Test
    void anOlderCheckpointFallsBackToTheJobsSettingsAndTheTrainersDefaults() {
        TransferGuards g = TransferGuards.of(checkpoint("distilbert-tiny", true,
                "{\"learningRate\": 5e-5, \"metricForBestModel\": \"eval_loss\"}", TWO_EPOCHS, null, null, 1));

        assertThat(g.settingsRecorded()).isFalse();
        assertThat(g.learningRate()).isEqualTo(5e-5);
        assertThat(g.plannedEpochs()).isEqualTo(2);
        assertThat(g.weightDecay()).isEqualTo(0.01);
        assertThat(g.warmupRatio()).isEqualTo(0.0);
        assertThat(g.metricForBestModel()).isEqualTo("loss");
        assertThat(g.loadBestModelAtEnd()).as("older trainers always kept the best").isTrue();
        assertThat(g.nothingFrozen()).isTrue();
        assertThat(g.stoppedEarly()).as("without patience nothing stops early").isFalse();
        assertThat(g.keptEpoch()).isEqualTo(1);
    }

    @Test
    void anOlderFinalCheckpointThatRanFewerEpochsThanPlannedWasStoppedEarly() {
        String settings = "{\"epochs\": 4, \"earlyStoppingPatience\": 1}";
        assertThat(TransferGuards.of(checkpoint("m", true, settings, TWO_EPOCHS, null, null, 1)).stoppedEarly())
                .isTrue();
        assertThat(TransferGuards.of(checkpoint("m", true, "{\"epochs\": 2, \"earlyStoppingPatience\": 1}",
                TWO_EPOCHS, null, null, 1)).stoppedEarly()).as("ran all it planned: cannot tell").isNull();
        TransferGuards midRun = TransferGuards.of(checkpoint("m", false, settings, TWO_EPOCHS, null, null, 2));
        assertThat(midRun.stoppedEarly()).isNull();
        assertThat(midRun.keptEpoch()).isNull();
        assertThat(midRun.epochsRun()).isEqualTo(2);
    }

    @Test
    void scratchBaseModelsAreNotPretrainedAndAnUnnamedOneIsUnknown() {
        assertThat(TransferGuards.of(checkpoint("scratch", true, null, TWO_EPOCHS, null, null, 2)).pretrained())
                .isFalse();
        assertThat(TransferGuards.of(checkpoint("scratch:tiny", true, null, TWO_EPOCHS, null, null, 2))
                .pretrained()).isFalse();
        assertThat(TransferGuards.of(checkpoint(null, true, null, TWO_EPOCHS, null, null, 2)).pretrained()).isNull();
        assertThat(TransferGuards.of(null)).isNull();
    }

    private static CheckpointInfo checkpoint(String baseModel, boolean last, String requested,
                                             List<EpochMetrics> history, Hyperparameters effective,
                                             Boolean stoppedEarly, int epoch) {
        return new CheckpointInfo(CheckpointInfo.VERSION, "j", last ? "j-final" : "j-epoch-" + epoch, "d", "b",
                baseModel, epoch, 10L * epoch, last, 0.3, 0.4, 0.8,
                requested == null ? null : Json.read(requested, Hyperparameters.class), history, effective,
                stoppedEarly);
    }
}
