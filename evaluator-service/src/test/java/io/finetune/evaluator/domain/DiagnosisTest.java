package io.finetune.evaluator.domain;

import io.finetune.contracts.CheckpointInfo;
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
    private static final String PRETRAINED = "distilbert-base-uncased";
    /** What {@link #PRETRAINED}'s config.json says. */
    private static final ModelFacts DISTILBERT_BASE = new ModelFacts("distilbert", 512);
    /** Fine-tuning as the Hugging Face guide does it: 2e-5, 3 epochs, nothing frozen; the final checkpoint. */
    private static final String GUIDE_SETTINGS = "\"learningRate\": 2e-5, \"epochs\": 3, \"weightDecay\": 0.01";

    @Test
    void aHealthyRunGetsNoFinding() {
        assertThat(DIAGNOSIS.diagnose(healthy())).isEmpty();
    }

    @Test
    void aHealthyRunFromScratchOnEnoughDataGetsNoFindingEitherWhateverItsSettings() {
        assertThat(DIAGNOSIS.diagnose(run(HEALTHY_HISTORY, data(5000, 5000, 0), 0.91, 10,
                trained("scratch", "\"learningRate\": 5e-4, \"epochs\": 3"))))
                .as("no pretrained knowledge to lose: a high learning rate is no forgetting risk").isEmpty();
    }

    @Test
    void aLearningRateFarAboveTheFineTuningRangeRisksForgettingOnAPretrainedRun() {
        Finding f = only(run(HEALTHY_HISTORY, data(5000, 5000, 0), 0.91, 0,
                trained(PRETRAINED, "\"learningRate\": 3e-4, \"epochs\": 3")));
        assertThat(f.code()).isEqualTo("high-learning-rate");
        assertThat(f.evidence()).contains("learningRate 3e-4", PRETRAINED, "6.0×", "2e-5 to 5e-5");
        assertThat(f.suggestion()).contains("learningRate=3e-5", "warmupRatio=0.1 (now 0)",
                "catastrophic forgetting");
        assertThat(DIAGNOSIS.diagnose(run(HEALTHY_HISTORY, data(5000, 5000, 0), 0.91, 0,
                trained(PRETRAINED, "\"learningRate\": 1e-4, \"epochs\": 3")))).as("at the threshold").isEmpty();
    }

    @Test
    void manyEpochsWithoutEarlyStoppingOnAPretrainedRun() {
        List<EpochMetrics> sixEpochs = List.of(new EpochMetrics(1, 100, 0.45, 0.35, 0.86),
                new EpochMetrics(2, 200, 0.25, 0.30, 0.90), new EpochMetrics(3, 300, 0.18, 0.298, 0.91),
                new EpochMetrics(4, 400, 0.15, 0.297, 0.91), new EpochMetrics(5, 500, 0.13, 0.2965, 0.91),
                new EpochMetrics(6, 600, 0.12, 0.2962, 0.91));
        Finding f = only(run(sixEpochs, data(5000, 5000, 0), 0.91, 0,
                trained(PRETRAINED, "\"learningRate\": 2e-5, \"epochs\": 6", sixEpochs)));
        assertThat(f.code()).isEqualTo("no-early-stopping");
        assertThat(f.evidence()).contains("epochs=6 with earlyStoppingPatience=0", PRETRAINED, "2 to 4 epochs");
        assertThat(f.suggestion()).contains("earlyStoppingPatience=1 (watching validation loss)")
                .doesNotContain("validationFraction");

        assertThat(DIAGNOSIS.diagnose(run(sixEpochs, data(5000, 5000, 0), 0.91, 0, trained(PRETRAINED,
                "\"learningRate\": 2e-5, \"epochs\": 6, \"earlyStoppingPatience\": 1", sixEpochs))))
                .as("with early stopping on").isEmpty();
        assertThat(DIAGNOSIS.diagnose(run(sixEpochs, data(5000, 5000, 0), 0.91, 0,
                trained(PRETRAINED, "\"learningRate\": 2e-5, \"epochs\": 4", sixEpochs))))
                .as("4 epochs are within the BERT paper's 2 to 4").isEmpty();
    }

    @Test
    void overfittingOnAPretrainedRunSaysWhatTheEpochsPastTheMinimumCostWithoutASecondFinding() {
        List<EpochMetrics> history = List.of(new EpochMetrics(1, 100, 0.40, 0.30, 0.90),
                new EpochMetrics(2, 200, 0.20, 0.33, 0.90), new EpochMetrics(3, 300, 0.08, 0.45, 0.89));
        // Planned for 6 epochs without early stopping: overfitting already says to stop early.
        CheckpointInfo keptEpochOne = checkpoint(PRETRAINED, "\"epochs\": 6", history, 1, false);
        List<Finding> findings = DIAGNOSIS.diagnose(run(history, data(5000, 5000, 0), 0.91, 0, keptEpochOne));

        assertThat(findings).extracting(Finding::code).containsExactly("overfitting");
        Finding f = findings.get(0);
        assertThat(f.evidence()).contains("0.3000 (epoch 1)", "pretrained " + PRETRAINED,
                "2 evaluation(s) past the minimum", "epochs=6, early stopping off", "catastrophic forgetting");
        assertThat(f.suggestion()).contains("This final checkpoint already holds epoch 1's weights",
                "earlyStoppingPatience=1").doesNotContain("GET /jobs/");
    }

    @Test
    void aSmallDatasetOnAPretrainedRunSuggestsFreezingTheLowerLayers() {
        Finding f = only(run(HEALTHY_HISTORY, data(700, 700, 0), 0.91, 0, trained(PRETRAINED, GUIDE_SETTINGS)));
        assertThat(f.code()).isEqualTo("freeze-lower-layers");
        assertThat(f.evidence()).contains("1400 training examples", PRETRAINED, "freezeLayers=0");
        assertThat(f.suggestion()).contains("freezeEmbeddings=true and freezeLayers=2", "GET /compare?jobs=job-7,");

        assertThat(DIAGNOSIS.diagnose(run(HEALTHY_HISTORY, data(700, 700, 0), 0.91, 0, trained(PRETRAINED,
                GUIDE_SETTINGS + ", \"freezeLayers\": 2")))).as("already frozen").isEmpty();
    }

    @Test
    void aRunFromScratchOnASmallDatasetHasNothingToForgetButMissesPretraining() {
        Finding f = only(run(HEALTHY_HISTORY, data(700, 700, 0), 0.91, 0, trained("scratch", GUIDE_SETTINGS)));
        assertThat(f.code()).isEqualTo("scratch-on-small-data");
        assertThat(f.evidence()).contains("base model scratch", "no pretrained knowledge to lose",
                "1400 training examples");
        assertThat(f.suggestion()).contains("pretrained base model usually helps most on small data",
                "baseModel=" + PRETRAINED, "same dataset build");

        Finding ownVocabulary = only(run(HEALTHY_HISTORY, data(700, 700, 0, "scratch"), 0.91, 0,
                trained("scratch:small", GUIDE_SETTINGS)));
        assertThat(ownVocabulary.code()).isEqualTo("scratch-on-small-data");
        assertThat(ownVocabulary.suggestion()).contains("prepare the dataset again with a pretrained model's "
                + "tokenizer");
    }

    @Test
    void overfitting() {
        // Validation accuracy still rose while validation loss rose: the trainer kept epoch 3 by accuracy.
        List<EpochMetrics> history = List.of(new EpochMetrics(1, 100, 0.40, 0.30, 0.86),
                new EpochMetrics(2, 200, 0.20, 0.33, 0.88), new EpochMetrics(3, 300, 0.08, 0.45, 0.90));
        Finding f = only(run(history, data(5000, 5000, 0), 0.91, 0, trained(PRETRAINED,
                GUIDE_SETTINGS + ", \"metricForBestModel\": \"accuracy\"", history)));
        assertThat(f.code()).isEqualTo("overfitting");
        assertThat(f.evidence()).contains("0.3000 (epoch 1)", "0.4500 (epoch 3)", "0.4000 to 0.0800");
        assertThat(f.suggestion()).contains("This final checkpoint holds epoch 3's weights, the best by validation "
                + "accuracy, while epoch 1 had the lowest validation loss", "metricForBestModel=loss",
                "raise weightDecay (now 0.010) to 0.1").doesNotContain("?metric=");
    }

    @Test
    void overfittingOnAFinalCheckpointThatDidNotKeepTheLowestLossSaysWhereThoseWeightsAre() {
        List<EpochMetrics> history = List.of(new EpochMetrics(1, 100, 0.40, 0.30, 0.90),
                new EpochMetrics(2, 200, 0.20, 0.33, 0.90), new EpochMetrics(3, 300, 0.08, 0.45, 0.89));
        // metricForBestModel loss, yet epoch 3 kept: what a trainer that did not keep the best weights wrote.
        Finding f = only(run(history, data(5000, 5000, 0), 0.91, 0, trained(PRETRAINED, GUIDE_SETTINGS, history)));
        assertThat(f.suggestion()).contains("This final checkpoint holds epoch 3's weights, while epoch 1 had the "
                + "lowest validation loss: take that epoch's checkpoint from GET /jobs/job-7/evaluations")
                .doesNotContain("best by validation loss");
    }

    @Test
    void overfittingWithWeightDecayAlreadyAtTheSuggestedValueIsNotToldToRaiseIt() {
        List<EpochMetrics> history = List.of(new EpochMetrics(1, 100, 0.40, 0.30, 0.90),
                new EpochMetrics(2, 200, 0.20, 0.33, 0.90), new EpochMetrics(3, 300, 0.08, 0.45, 0.89));
        Finding f = only(run(history, data(5000, 5000, 0), 0.91, 0, trained(PRETRAINED,
                GUIDE_SETTINGS + ", \"weightDecay\": 0.1", history)));
        assertThat(f.code()).isEqualTo("overfitting");
        assertThat(f.suggestion()).doesNotContain("weightDecay");
    }

    @Test
    void overfittingSeenOnACheckpointBeforeTheFinalOnePointsToTheTrainersChoice() {
        List<EpochMetrics> history = List.of(new EpochMetrics(1, 100, 0.40, 0.30, 0.90),
                new EpochMetrics(2, 200, 0.20, 0.33, 0.90), new EpochMetrics(3, 300, 0.08, 0.45, 0.89));
        CheckpointInfo epochThree = new CheckpointInfo(CheckpointInfo.VERSION, "job-7", "job-7-epoch-3", "reviews",
                "b1", PRETRAINED, 3, 300, false, 0.08, 0.45, 0.89, HP, history,
                Json.read("{" + GUIDE_SETTINGS + "}", Hyperparameters.class), null);
        Finding f = only(run(history, data(5000, 5000, 0), 0.91, 0, epochThree));
        assertThat(f.code()).isEqualTo("overfitting");
        assertThat(f.suggestion()).contains("Use the job's final checkpoint (GET /jobs/job-7/best): it holds the best "
                + "evaluation by validation loss").doesNotContain("?metric=");
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
        assertThat(f.evidence()).contains("final training loss 0.6800 is near the 0.6931 of guessing",
                "test accuracy 0.5300 is within 5 points of the 0.5000");
        assertThat(f.suggestion()).contains("learningRate=5e-5 (now 2.0e-5)");
    }

    @Test
    void aTrainingLossAboveGuessingIsCalledWorseThanGuessingNotNear() {
        Finding f = only(run(List.of(new EpochMetrics(1, 100, 1.20, 0.70, 0.52),
                new EpochMetrics(2, 200, 1.09, 0.69, 0.53)), data(5000, 5000, 0), 0.53, 0));
        assertThat(f.code()).isEqualTo("underfitting");
        assertThat(f.evidence()).contains("final training loss 1.0900 is worse than guessing: above the 0.6931")
                .doesNotContain("near");
        assertThat(f.suggestion()).contains("Lower learningRate to 6.7e-6 (now 2.0e-5)", "confidently wrong")
                .doesNotContain("try learningRate=5e-5");
    }

    @Test
    void testAccuracyBelowTheMajorityClassIsCalledBelowIt() {
        Finding f = only(run(HEALTHY_HISTORY, data(5000, 5000, 0), 0.41, 0));
        assertThat(f.code()).isEqualTo("underfitting");
        assertThat(f.evidence()).contains("test accuracy 0.4100 is below the 0.5000 of always predicting");
    }

    @Test
    void anUnderfitRunOnLittleDataIsNotAlsoToldToFreezeLayers() {
        List<Finding> findings = DIAGNOSIS.diagnose(run(List.of(new EpochMetrics(1, 100, 0.69, 0.69, 0.52),
                new EpochMetrics(2, 200, 0.68, 0.685, 0.53)), data(700, 700, 0), 0.53, 0,
                trained(PRETRAINED, GUIDE_SETTINGS)));
        assertThat(findings).extracting(Finding::code).containsExactly("underfitting");
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
        assertThat(f.suggestion()).contains("larger maxLength (now 128; distilbert-base-uncased (distilbert) takes up "
                + "to 512 tokens)");
    }

    @Test
    void truncationAdviceNamesTheModelAndItsOwnPositionsLimit() {
        String miniLm = "sentence-transformers/all-MiniLM-L6-v2";
        Finding bert = only(run(HEALTHY_HISTORY, data(5000, 5000, 3000), 0.91, 0, trained(miniLm, GUIDE_SETTINGS),
                new ModelFacts("bert", 256)));
        assertThat(bert.suggestion()).contains("now 128; " + miniLm + " (bert) takes up to 256 tokens")
                .doesNotContain("DistilBERT", "512");

        ShardManifest filled = dataWithMaxLength(data(5000, 5000, 3000), 64);
        Finding full = only(run(HEALTHY_HISTORY, filled, 0.91, 0, trained("distilbert-tiny", GUIDE_SETTINGS),
                new ModelFacts("distilbert", 64)));
        assertThat(full.suggestion()).contains("maxLength 64 already uses all 64 positions of distilbert-tiny "
                + "(distilbert)", "keep the part of each text that carries the label").doesNotContain("Raise", "512");

        Finding unknown = only(run(HEALTHY_HISTORY, data(5000, 5000, 3000), 0.91, 0, trained(PRETRAINED,
                GUIDE_SETTINGS), null));
        assertThat(unknown.suggestion()).as("an evaluation stored before the model's limits were")
                .contains("Raise maxLength (now 128) up to the model's max_position_embeddings").doesNotContain("512");
    }

    @Test
    void truncationAdviceSaysWhenTheRunItselfReadLessThanTheModelTakes() {
        Finding f = only(run(HEALTHY_HISTORY, data(5000, 5000, 3000), 0.91, 0,
                trained(PRETRAINED, GUIDE_SETTINGS + ", \"maxLength\": 96")));
        assertThat(f.suggestion()).contains("and train with maxLength as large (this run's is 96)");
    }

    @Test
    void tooLittleData() {
        Finding f = only(run(HEALTHY_HISTORY, data(300, 300, 0), 0.91, 0,
                trained(PRETRAINED, GUIDE_SETTINGS + ", \"freezeEmbeddings\": true")));
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

    /** A run fine-tuned from {@link #PRETRAINED} with the guide's settings. */
    private static Diagnosis.Run run(List<EpochMetrics> history, ShardManifest data, double accuracy,
                                     int highConfidenceErrors) {
        return run(history, data, accuracy, highConfidenceErrors, trained(PRETRAINED, GUIDE_SETTINGS, history));
    }

    private static Diagnosis.Run run(List<EpochMetrics> history, ShardManifest data, double accuracy,
                                     int highConfidenceErrors, CheckpointInfo trained) {
        return run(history, data, accuracy, highConfidenceErrors, trained, DISTILBERT_BASE);
    }

    /** A run as Run.of reads one: settings and guards from the same checkpoint.json. */
    private static Diagnosis.Run run(List<EpochMetrics> history, ShardManifest data, double accuracy,
                                     int highConfidenceErrors, CheckpointInfo trained, ModelFacts model) {
        return new Diagnosis.Run("job-7", history, TrainedSettings.of(trained), data, 1000, accuracy, 2,
                highConfidenceErrors, TransferGuards.of(trained), model, null);
    }

    private static CheckpointInfo trained(String baseModel, String settings) {
        return trained(baseModel, settings, HEALTHY_HISTORY);
    }

    /** The final checkpoint, keeping the last epoch; early stopping did not fire. */
    private static CheckpointInfo trained(String baseModel, String settings, List<EpochMetrics> history) {
        return checkpoint(baseModel, settings, history,
                history.isEmpty() ? 1 : history.get(history.size() - 1).epoch(), false);
    }

    /** A final checkpoint as the trainer writes it, with {@code settings} as its effective hyperparameters. */
    static CheckpointInfo checkpoint(String baseModel, String settings, List<EpochMetrics> history, int keptEpoch,
                                     boolean stoppedEarly) {
        return new CheckpointInfo(CheckpointInfo.VERSION, "job-7", "job-7-final", "reviews", "b1", baseModel,
                keptEpoch, 100L * keptEpoch, true, 0.2, 0.3, 0.9, HP, history,
                Json.read("{" + settings + "}", Hyperparameters.class), stoppedEarly);
    }

    private static ShardManifest dataWithMaxLength(ShardManifest m, int maxLength) {
        return new ShardManifest(m.v(), m.dataset(), m.build(), m.labels(), m.shards(), m.counts(), m.tokenizer(),
                m.model(), maxLength, m.configHash(), m.report());
    }

    private static ShardManifest data(int negatives, int positives, int truncated) {
        return data(negatives, positives, truncated, PRETRAINED);
    }

    /** Training split as given; validation and test 500 + 500 each; test balanced; tokenized for {@code model}. */
    private static ShardManifest data(int negatives, int positives, int truncated, String model) {
        Map<String, Map<String, Integer>> counts = Map.of(
                "train", Map.of("NEGATIVE", negatives, "POSITIVE", positives),
                "validation", Map.of("NEGATIVE", 500, "POSITIVE", 500),
                "test", Map.of("NEGATIVE", 500, "POSITIVE", 500));
        CleaningReport report = new CleaningReport(List.of(), 0, 0, truncated, counts, Map.of(128, 1000));
        return new ShardManifest(ShardManifest.VERSION, "reviews", "b1", List.of("NEGATIVE", "POSITIVE"),
                Map.of("train", 1, "validation", 1, "test", 1), counts, "tok", model, 128, "h", report);
    }
}
