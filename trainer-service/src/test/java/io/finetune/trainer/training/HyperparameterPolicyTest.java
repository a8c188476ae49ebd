package io.finetune.trainer.training;

import ai.djl.Device;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.TrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HyperparameterPolicyTest {
    @TempDir
    Path temp;

    private EncoderConfig tiny() {
        return EncoderConfig.read(BundledModels.extract(BundledModels.DEMO_MODEL, temp).resolve("config.json"));
    }

    @Test
    void theTrainerOptionsReachTheTrainingConfig() {
        Hyperparameters h = Json.read("""
                {"evalSteps": 50, "metricForBestModel": "eval_accuracy", "saveStateEverySteps": 100,
                 "saveTotalLimit": 3, "groupByLength": true, "classWeights": [1.0, 3.5, 0.5]}""",
                Hyperparameters.class);
        TrainingConfig c = HyperparameterPolicy.resolve(h, tiny(), 3, Device.cpu());
        assertThat(c.evalSteps()).isEqualTo(50);
        assertThat(c.metricForBestModel()).isEqualTo(TrainingConfig.BestModelMetric.ACCURACY);
        assertThat(c.saveStateEverySteps()).isEqualTo(100);
        assertThat(c.saveTotalLimit()).isEqualTo(3);
        assertThat(c.groupByLength()).isTrue();
        assertThat(c.classWeights()).containsExactly(1.0, 3.5, 0.5);

        TrainingConfig defaults = HyperparameterPolicy.resolve(null, tiny(), 2, Device.cpu());
        assertThat(defaults.metricForBestModel()).isEqualTo(TrainingConfig.BestModelMetric.LOSS);
        assertThat(defaults.classWeights()).isNull();
        assertThat(defaults.saveStateEverySteps()).isEqualTo(200);
    }

    @Test
    void badTrainerOptionsAreAllListed() {
        Hyperparameters h = Json.read("""
                {"evalSteps": -1, "metricForBestModel": "f1", "saveStateEverySteps": -5, "saveTotalLimit": 0,
                 "classWeights": [1.0, -2.0]}""", Hyperparameters.class);
        assertThatThrownBy(() -> HyperparameterPolicy.resolve(h, tiny(), 3, Device.cpu()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("evalSteps must be >= 0")
                .hasMessageContaining("metricForBestModel must be 'loss' or 'accuracy', got 'f1'")
                .hasMessageContaining("saveStateEverySteps must be >= 0")
                .hasMessageContaining("saveTotalLimit must be in [1, 100]")
                .hasMessageContaining("classWeights must have one weight per label (3), got 2")
                .hasMessageContaining("classWeights must all be in (0, 1e6]");
    }

    @Test
    void huggingFacesSchedulesAndWarmupStepsReachTheTrainingConfigAndUnknownOnesAreRefused() {
        TrainingConfig c = HyperparameterPolicy.resolve(Json.read(
                "{\"lr_scheduler_type\": \"constant_with_warmup\", \"warmup_steps\": 30}", Hyperparameters.class),
                tiny(), 2, Device.cpu());
        assertThat(c.lrSchedulerType()).isEqualTo(io.finetune.distilbert.LearningRateSchedule.Type.CONSTANT_WITH_WARMUP);
        assertThat(c.warmupSteps()).isEqualTo(30);
        assertThat(HyperparameterPolicy.resolve(null, tiny(), 2, Device.cpu()).lrSchedulerType())
                .isEqualTo(io.finetune.distilbert.LearningRateSchedule.Type.LINEAR);

        Hyperparameters bad = Json.read("{\"lr_scheduler_type\": \"polynomial\", \"warmup_steps\": -1}",
                Hyperparameters.class);
        assertThatThrownBy(() -> HyperparameterPolicy.resolve(bad, tiny(), 2, Device.cpu()))
                .hasMessageContaining("lr_scheduler_type must be one of linear, cosine, constant, "
                        + "constant_with_warmup, got 'polynomial'")
                .hasMessageContaining("warmupSteps must be >= 0");
    }

    @Test
    void adamLabelSmoothingEvaluationBatchDataSeedAndThresholdReachTheTrainingConfig() {
        TrainingConfig c = HyperparameterPolicy.resolve(Json.read("""
                {"adam_beta1": 0.8, "adam_beta2": 0.98, "adam_epsilon": 1e-6, "label_smoothing_factor": 0.1,
                 "per_device_eval_batch_size": 64, "data_seed": 7, "early_stopping_threshold": 0.01}""",
                Hyperparameters.class), tiny(), 2, Device.cpu());
        assertThat(c.adamBeta1()).isEqualTo(0.8);
        assertThat(c.adamBeta2()).isEqualTo(0.98);
        assertThat(c.adamEpsilon()).isEqualTo(1e-6);
        assertThat(c.labelSmoothingFactor()).isEqualTo(0.1);
        assertThat(c.validationBatchSize()).isEqualTo(64);
        assertThat(c.batchOrderSeed()).isEqualTo(7);
        assertThat(c.earlyStoppingThreshold()).isEqualTo(0.01);

        TrainingConfig defaults = HyperparameterPolicy.resolve(null, tiny(), 2, Device.cpu());
        assertThat(defaults.validationBatchSize()).isEqualTo(defaults.batchSize());
        assertThat(defaults.batchOrderSeed()).isEqualTo(defaults.seed());

        assertThatThrownBy(() -> HyperparameterPolicy.resolve(Json.read("""
                {"adam_beta2": 1.0, "label_smoothing_factor": 1.5, "per_device_eval_batch_size": 0}""",
                Hyperparameters.class), tiny(), 2, Device.cpu()))
                .hasMessageContaining("adamBeta2 must be in [0, 1)")
                .hasMessageContaining("labelSmoothingFactor must be in [0, 1)")
                .hasMessageContaining("evalBatchSize must be in [1, 4096]");
    }

    @Test
    void huggingFacesEvaluationSettingsAreAcceptedWhereTheyAgreeAndRefusedWithTheReasonWhereNot() {
        TrainingConfig c = HyperparameterPolicy.resolve(Json.read("""
                {"eval_strategy": "steps", "eval_steps": 20, "load_best_model_at_end": true,
                 "metric_for_best_model": "accuracy", "greater_is_better": true}""", Hyperparameters.class),
                tiny(), 2, Device.cpu());
        assertThat(c.evalSteps()).isEqualTo(20);
        assertThat(c.metricForBestModel()).isEqualTo(TrainingConfig.BestModelMetric.ACCURACY);

        assertThatThrownBy(() -> HyperparameterPolicy.resolve(Json.read("""
                {"eval_strategy": "no", "load_best_model_at_end": false, "greater_is_better": true}""",
                Hyperparameters.class), tiny(), 2, Device.cpu()))
                .hasMessageContaining("evalStrategy 'no' is not offered")
                .hasMessageContaining("loadBestModelAtEnd false is not offered")
                .hasMessageContaining("greaterIsBetter true contradicts metricForBestModel 'loss'");
        assertThatThrownBy(() -> HyperparameterPolicy.resolve(Json.read("{\"eval_strategy\": \"steps\"}",
                Hyperparameters.class), tiny(), 2, Device.cpu()))
                .hasMessageContaining("evalStrategy 'steps' needs evalSteps");
    }
}
