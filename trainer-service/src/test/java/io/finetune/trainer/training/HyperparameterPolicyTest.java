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
                .hasMessageContaining("metricForBestModel must be one of loss, accuracy, macro_f1, weighted_f1,"
                        + " log_loss, roc_auc, pr_auc (Hugging Face's eval_ prefix accepted), got 'f1'")
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
        TrainingConfig c = resolve("""
                {"eval_strategy": "steps", "eval_steps": 20, "load_best_model_at_end": true,
                 "metric_for_best_model": "accuracy", "greater_is_better": true}""", 2);
        assertThat(c.evalSteps()).isEqualTo(20);
        assertThat(c.evalStrategy()).isEqualTo(TrainingConfig.EvalStrategy.STEPS);
        assertThat(c.metricForBestModel()).isEqualTo(TrainingConfig.BestModelMetric.ACCURACY);
        assertThat(c.loadBestModelAtEnd()).isTrue();
        assertThat(resolve("{\"eval_steps\": 20}", 2).evalStrategy()).as("evalSteps alone means 'steps'")
                .isEqualTo(TrainingConfig.EvalStrategy.STEPS);
        assertThat(resolve("{}", 2).evalStrategy()).isEqualTo(TrainingConfig.EvalStrategy.EPOCH);

        assertThatThrownBy(() -> resolve("{\"eval_strategy\": \"steps\"}", 2))
                .hasMessageContaining("evalStrategy 'steps' needs evalSteps (eval_steps) above 0: set it, or use"
                        + " 'epoch'");
        assertThatThrownBy(() -> resolve("{\"eval_strategy\": \"epoch\", \"eval_steps\": 5}", 2))
                .hasMessageContaining("evalStrategy 'epoch' contradicts evalSteps 5: leave evalSteps out, or use"
                        + " 'steps'");
        assertThatThrownBy(() -> resolve("{\"eval_strategy\": \"best\"}", 2))
                .hasMessageContaining("evalStrategy must be one of 'no', 'steps', 'epoch', got 'best'");
    }

    @Test
    void anyOfTheEvaluatorsMetricsPicksTheBestModelUnderEitherName() {
        assertThat(resolve("{\"metric_for_best_model\": \"eval_macro_f1\", \"greater_is_better\": true}", 3)
                .metricForBestModel()).isEqualTo(TrainingConfig.BestModelMetric.MACRO_F1);
        assertThat(resolve("{\"metricForBestModel\": \"weighted_f1\"}", 3).metricForBestModel())
                .isEqualTo(TrainingConfig.BestModelMetric.WEIGHTED_F1);
        assertThat(resolve("{\"metric_for_best_model\": \"eval_log_loss\", \"greater_is_better\": false}", 3)
                .metricForBestModel()).isEqualTo(TrainingConfig.BestModelMetric.LOG_LOSS);
        assertThat(resolve("{\"metric_for_best_model\": \"roc_auc\"}", 2).metricForBestModel())
                .isEqualTo(TrainingConfig.BestModelMetric.ROC_AUC);
        assertThat(resolve("{\"metric_for_best_model\": \"eval_pr_auc\"}", 2).metricForBestModel())
                .isEqualTo(TrainingConfig.BestModelMetric.PR_AUC);

        assertThatThrownBy(() -> resolve("{\"metric_for_best_model\": \"f2\"}", 2))
                .hasMessageContaining("metricForBestModel must be one of loss, accuracy, macro_f1, weighted_f1,"
                        + " log_loss, roc_auc, pr_auc (Hugging Face's eval_ prefix accepted), got 'f2'");
        assertThatThrownBy(() -> resolve("{\"metric_for_best_model\": \"eval_roc_auc\"}", 3))
                .hasMessageContaining("metricForBestModel 'roc_auc' is defined for two labels only (it ranks"
                        + " examples by the second label's probability), the dataset has 3: choose macro_f1 or"
                        + " another metric");
    }

    @Test
    void greaterIsBetterMustAgreeWithTheMetricsDirection() {
        assertThatThrownBy(() -> resolve("{\"greater_is_better\": true}", 2))
                .hasMessageContaining("greaterIsBetter true contradicts metricForBestModel 'loss' (lower is better):"
                        + " set it to false or leave it out");
        assertThatThrownBy(() -> resolve("{\"metric_for_best_model\": \"log_loss\", \"greater_is_better\": true}",
                2)).hasMessageContaining("greaterIsBetter true contradicts metricForBestModel 'log_loss' (lower is"
                + " better)");
        assertThatThrownBy(() -> resolve("{\"metric_for_best_model\": \"macro_f1\", \"greater_is_better\": false}",
                2)).hasMessageContaining("greaterIsBetter false contradicts metricForBestModel 'macro_f1' (higher is"
                + " better): set it to true or leave it out");
    }

    @Test
    void noEvaluationWhileTrainingIsOfferedWithoutEarlyStoppingOrTheBestModel() {
        TrainingConfig c = resolve("{\"eval_strategy\": \"no\"}", 2);
        assertThat(c.evalStrategy()).isEqualTo(TrainingConfig.EvalStrategy.NO);
        assertThat(c.loadBestModelAtEnd()).as("the last weights are the only ones").isFalse();
        assertThat(resolve("{\"eval_strategy\": \"no\", \"load_best_model_at_end\": false}", 2).evalStrategy())
                .isEqualTo(TrainingConfig.EvalStrategy.NO);

        assertThatThrownBy(() -> resolve("{\"eval_strategy\": \"no\", \"early_stopping_patience\": 2}", 2))
                .hasMessageContaining("earlyStoppingPatience needs evaluations while training (evalStrategy 'epoch'"
                        + " or 'steps') and the best model kept (loadBestModelAtEnd true)");
        assertThatThrownBy(() -> resolve("{\"eval_strategy\": \"no\", \"load_best_model_at_end\": true}", 2))
                .hasMessageContaining("loadBestModelAtEnd true needs evaluations while training to choose from, and"
                        + " evalStrategy 'no' only scores the last weights");
        assertThatThrownBy(() -> resolve("{\"eval_strategy\": \"no\", \"eval_steps\": 10}", 2))
                .hasMessageContaining("evalStrategy 'no' contradicts evalSteps 10");
    }

    @Test
    void theLastWeightsCanBeKeptButEarlyStoppingNeedsTheBest() {
        TrainingConfig c = resolve("{\"load_best_model_at_end\": false}", 2);
        assertThat(c.loadBestModelAtEnd()).isFalse();
        assertThat(c.evalStrategy()).isEqualTo(TrainingConfig.EvalStrategy.EPOCH);
        assertThat(resolve("{}", 2).loadBestModelAtEnd()).as("this trainer's default").isTrue();

        assertThatThrownBy(() -> resolve("{\"load_best_model_at_end\": false, \"early_stopping_patience\": 1}", 2))
                .hasMessageContaining("earlyStoppingPatience needs evaluations while training (evalStrategy 'epoch'"
                        + " or 'steps') and the best model kept (loadBestModelAtEnd true), as Hugging Face's"
                        + " EarlyStoppingCallback does: set earlyStoppingPatience to 0, or evaluate and keep the best"
                        + " model");
    }

    private TrainingConfig resolve(String hyperparameters, int numLabels) {
        return HyperparameterPolicy.resolve(Json.read(hyperparameters, Hyperparameters.class), tiny(), numLabels,
                Device.cpu());
    }
}
