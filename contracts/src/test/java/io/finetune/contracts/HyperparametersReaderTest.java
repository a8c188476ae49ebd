package io.finetune.contracts;

import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HyperparametersReaderTest {
    @Test
    void huggingFaceNamesMeanWhatTheySay() {
        Hyperparameters h = Json.read("""
                {"learning_rate": 3e-5, "num_train_epochs": 5, "per_device_train_batch_size": 8,
                 "max_seq_length": 128, "save_steps": 50, "metric_for_best_model": "eval_accuracy", "bf16": true,
                 "lr_scheduler_type": "cosine", "warmup_steps": 20}""",
                Hyperparameters.class);

        assertThat(h.learningRate()).isEqualTo(3e-5);
        assertThat(h.epochs()).isEqualTo(5);
        assertThat(h.batchSize()).isEqualTo(8);
        assertThat(h.maxLength()).isEqualTo(128);
        assertThat(h.saveStateEverySteps()).isEqualTo(50);
        assertThat(h.metricForBestModel()).isEqualTo("eval_accuracy");
        assertThat(h.bf16()).isTrue();
        assertThat(h.lrSchedulerType()).isEqualTo("cosine");
        assertThat(h.warmupSteps()).isEqualTo(20);
        assertThat(h.weightDecay()).as("absent: the trainer's default").isNull();
    }

    @Test
    void theOwnNamesStillReadAndWhatIsWrittenReadsBackTheSame() {
        Hyperparameters h = Json.read("{\"learningRate\": 1e-4, \"classWeights\": [1.0, 3.0], \"seed\": 7}",
                Hyperparameters.class);

        assertThat(h.classWeights()).containsExactly(1.0, 3.0);
        assertThat(Json.read(Json.write(h), Hyperparameters.class)).isEqualTo(h);
    }

    @Test
    void anUnknownKeyIsRefusedByNameWithTheClosestSettings() {
        assertThatThrownBy(() -> Json.read("{\"learnig_rate\": 3e-5, \"epochs\": 1}", Hyperparameters.class))
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("'learnig_rate' is not a training setting (did you mean 'learningRate' or 'learning_rate'?)");
    }

    @Test
    void aHuggingFaceSettingThisTrainerLacksIsNamedAsSuchAndEveryProblemIsListed() {
        assertThatThrownBy(() -> Json.read("{\"optim\": \"adafactor\", \"save_strategy\": \"steps\", \"color\": 1}",
                Hyperparameters.class))
                .rootCause().isInstanceOfSatisfying(InvalidSettingsException.class, e -> assertThat(e.problems())
                        .containsExactly(
                                "'optim' is a Hugging Face TrainingArguments setting this trainer does not support",
                                "'save_strategy' is a Hugging Face TrainingArguments setting this trainer does "
                                        + "not support",
                                "'color' is not a training setting"));
    }

    @Test
    void oneSettingUnderTwoNamesIsAmbiguousAndRefused() {
        assertThatThrownBy(() -> Json.read("{\"epochs\": 2, \"num_train_epochs\": 3}", Hyperparameters.class))
                .hasMessageContaining("'epochs' is given twice, as 'epochs' and as 'num_train_epochs'");
    }

    @Test
    void aWrongTypeStillFailsAsJacksonFailsIt() {
        assertThatThrownBy(() -> Json.read("{\"num_train_epochs\": \"many\"}", Hyperparameters.class))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("many");
    }

    @Test
    void insideAJobTheSettingsAreCheckedTooAndTheRestOfTheEventStaysTolerant() {
        TrainingJob job = Json.read("""
                {"v":1,"jobId":"j","dataset":"d","hyperparameters":{"learning_rate":5e-5},"addedLater":true}""",
                TrainingJob.class);
        assertThat(job.hyperparameters().learningRate()).isEqualTo(5e-5);

        assertThatThrownBy(() -> Json.read("{\"v\":1,\"jobId\":\"j\",\"hyperparameters\":{\"lr\":1}}",
                TrainingJob.class)).hasRootCauseInstanceOf(InvalidSettingsException.class);
    }

    @Test
    void everyRecordComponentHasExactlyOneSettingAndNoNameIsTakenTwice() {
        assertThat(TrainingSettings.ALL).hasSize(Hyperparameters.class.getRecordComponents().length);
        assertThat(TrainingSettings.byName("learning_rate")).map(TrainingSettings.Setting::name)
                .contains("learningRate");
        assertThat(TrainingSettings.NOT_SUPPORTED).allSatisfy(name ->
                assertThat(TrainingSettings.byName(name)).as(name).isEmpty());
    }
}
