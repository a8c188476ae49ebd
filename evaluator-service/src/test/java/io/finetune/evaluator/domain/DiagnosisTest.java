package io.finetune.evaluator.domain;

import io.finetune.contracts.CheckpointInfo.EpochMetrics;
import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.contracts.ShardManifest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Each run below shows one symptom on top of an otherwise healthy run; the healthy run itself gets no finding. */
class DiagnosisTest {
    private static final Diagnosis DIAGNOSIS = new Diagnosis(Diagnosis.Thresholds.defaults());
    /** Falling losses that level off: the last epoch improves validation loss by less than 2%. */
    private static final List<EpochMetrics> HEALTHY_HISTORY = List.of(
            new EpochMetrics(1, 100, 0.45, 0.35, 0.86),
            new EpochMetrics(2, 200, 0.25, 0.30, 0.90),
            new EpochMetrics(3, 300, 0.18, 0.298, 0.91));
    /** Through JSON: the record grows new (nullable) fields as the trainer learns new settings. */
    private static final Hyperparameters HP = Json.read("{\"learningRate\": 2e-5, \"batchSize\": 16, "
            + "\"epochs\": 3, \"weightDecay\": 0.01, \"maxLength\": 128}", Hyperparameters.class);

    @Test
    void aHealthyRunGetsNoFinding() {
        assertThat(DIAGNOSIS.diagnose(healthy())).isEmpty();
    }

    @Test
    void overfitting() {
        Finding f = only(run(List.of(new EpochMetrics(1, 100, 0.40, 0.30, 0.90),
                new EpochMetrics(2, 200, 0.20, 0.33, 0.90), new EpochMetrics(3, 300, 0.08, 0.45, 0.89)),
                data(5000, 5000, 0), 0.91, 0));
        assertThat(f.code()).isEqualTo("overfitting");
        assertThat(f.evidence()).contains("0.3000 (epoch 1)", "0.4500 (epoch 3)", "0.4000 to 0.0800");
        assertThat(f.suggestion()).contains("epoch-1 checkpoint", "GET /jobs/job-7/best?metric=log_loss");
    }

    @Test
    void tooFewEpochs() {
        Finding f = only(run(List.of(new EpochMetrics(1, 100, 0.50, 0.40, 0.85),
                new EpochMetrics(2, 200, 0.30, 0.32, 0.90)), data(5000, 5000, 0), 0.91, 0));
        assertThat(f.code()).isEqualTo("too-few-epochs");
        assertThat(f.evidence()).contains("0.4000 to 0.3200");
        assertThat(f.suggestion()).contains("epochs=4");
    }

    @Test
    void underfittingFromLossNearChanceAndAccuracyNearMajority() {
        Finding f = only(run(List.of(new EpochMetrics(1, 100, 0.69, 0.69, 0.52),
                new EpochMetrics(2, 200, 0.68, 0.685, 0.53)), data(5000, 5000, 0), 0.53, 0));
        assertThat(f.code()).isEqualTo("underfitting");
        assertThat(f.evidence()).contains("0.6800", "0.6931", "0.5300", "0.5000");
        assertThat(f.suggestion()).contains("learningRate=5e-5 (now 2.0e-5)");
    }

    @Test
    void divergenceFromNaNLoss() {
        Finding f = only(run(List.of(new EpochMetrics(1, 100, Double.NaN, Double.NaN, 0.5)), data(5000, 5000, 0),
                0.92, 0));
        assertThat(f.code()).isEqualTo("divergence");
        assertThat(f.suggestion()).contains("learningRate to 6.7e-6 (now 2.0e-5)");
    }

    @Test
    void divergenceFromRisingTrainingLoss() {
        List<Finding> findings = DIAGNOSIS.diagnose(run(List.of(new EpochMetrics(1, 100, 0.40, 0.35, 0.85),
                new EpochMetrics(2, 200, 0.55, 0.50, 0.80)), data(5000, 5000, 0), 0.91, 0));
        assertThat(findings).extracting(Finding::code).containsExactly("divergence");
        assertThat(findings.get(0).evidence()).contains("0.4000 (epoch 1) to 0.5500 (epoch 2)");
    }

    @Test
    void classImbalance() {
        Finding f = only(run(HEALTHY_HISTORY, data(9000, 1000, 0), 0.95, 0));
        assertThat(f.code()).isEqualTo("class-imbalance");
        assertThat(f.evidence()).contains("9000 'NEGATIVE'", "1000 'POSITIVE'", "9.0 : 1");
        assertThat(f.suggestion()).contains("'POSITIVE'");
    }

    @Test
    void truncation() {
        Finding f = only(run(HEALTHY_HISTORY, data(5000, 5000, 3000), 0.91, 0));
        assertThat(f.code()).isEqualTo("truncation");
        assertThat(f.evidence()).contains("3000 of 12000", "25%", "128 tokens");
    }

    @Test
    void tooLittleData() {
        Finding f = only(run(HEALTHY_HISTORY, data(300, 300, 0), 0.91, 0));
        assertThat(f.code()).isEqualTo("too-little-data");
        assertThat(f.evidence()).contains("600 training examples");
    }

    @Test
    void suspectedLabelNoise() {
        Finding f = only(run(HEALTHY_HISTORY, data(5000, 5000, 0), 0.91, 120));
        assertThat(f.code()).isEqualTo("label-noise");
        assertThat(f.evidence()).contains("120 of 1000", "12.0%");
    }

    private static Diagnosis.Run healthy() {
        return run(HEALTHY_HISTORY, data(5000, 5000, 0), 0.91, 10);
    }

    private static Finding only(Diagnosis.Run run) {
        List<Finding> findings = DIAGNOSIS.diagnose(run);
        assertThat(findings).hasSize(1);
        return findings.get(0);
    }

    private static Diagnosis.Run run(List<EpochMetrics> history, ShardManifest data, double accuracy,
                                     int highConfidenceErrors) {
        return new Diagnosis.Run("job-7", history, HP, data, 1000, accuracy, 2, highConfidenceErrors);
    }

    /** Training split as given; validation and test 500 + 500 each; test balanced. */
    private static ShardManifest data(int negatives, int positives, int truncated) {
        Map<String, Map<String, Integer>> counts = Map.of(
                "train", Map.of("NEGATIVE", negatives, "POSITIVE", positives),
                "validation", Map.of("NEGATIVE", 500, "POSITIVE", 500),
                "test", Map.of("NEGATIVE", 500, "POSITIVE", 500));
        CleaningReport report = new CleaningReport(List.of(), 0, 0, truncated, counts, Map.of(128, 1000));
        return new ShardManifest(ShardManifest.VERSION, "reviews", "b1", List.of("NEGATIVE", "POSITIVE"),
                Map.of("train", 1, "validation", 1, "test", 1), counts, "tok", "distilbert-base-uncased", 128, "h",
                report);
    }
}
