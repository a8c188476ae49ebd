package io.finetune.trainer.training;

import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.contracts.TrainingJob;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsFromTest {
    private static TrainingJob job(String id, String settings, String from) {
        return new TrainingJob(TrainingJob.VERSION, id, "d", null,
                settings == null ? null : Json.read(settings, Hyperparameters.class), Instant.EPOCH, from);
    }

    private static SettingsFrom knowing(TrainingJob... jobs) {
        Map<String, TrainingJob> byId = new java.util.HashMap<>();
        for (TrainingJob j : jobs) {
            byId.put(j.jobId(), j);
        }
        return new SettingsFrom(id -> Optional.ofNullable(byId.get(id)));
    }

    @Test
    void theEarlierJobsSubmittedSettingsFillInAndTheJobsOwnWin() {
        TrainingJob first = job("a", "{\"learning_rate\": 3e-5, \"epochs\": 4, \"class_weights\": [1, 3]}", null);
        TrainingJob second = job("b", "{\"epochs\": 1}", "a");

        Hyperparameters settled = knowing(first).apply(second).hyperparameters();

        assertThat(settled.learningRate()).isEqualTo(3e-5);
        assertThat(settled.classWeights()).containsExactly(1.0, 3.0);
        assertThat(settled.epochs()).isEqualTo(1);
        assertThat(settled.batchSize()).as("left to the defaults by both: still the default of today").isNull();
    }

    @Test
    void aChainIsFollowedAndApplyingTwiceChangesNothing() {
        TrainingJob a = job("a", "{\"seed\": 1, \"epochs\": 4}", null);
        TrainingJob b = job("b", "{\"epochs\": 2}", "a"); // sent straight to Kafka: its own settings only
        TrainingJob c = job("c", null, "b");
        SettingsFrom settingsFrom = knowing(a, b);

        TrainingJob once = settingsFrom.apply(c);

        assertThat(once.hyperparameters()).isEqualTo(Json.read("{\"seed\": 1, \"epochs\": 2}", Hyperparameters.class));
        assertThat(settingsFrom.apply(once)).isEqualTo(once);
        assertThat(knowing().apply(a)).isSameAs(a);
    }

    @Test
    void anUnknownJobALoopAndAnUnsafeIdAreRefused() {
        assertThatThrownBy(() -> knowing().apply(job("b", null, "job-gone")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("settingsFrom names job 'job-gone'")
                .hasMessageContaining("finetune.training.jobs");
        TrainingJob x = job("x", null, "y");
        TrainingJob y = job("y", null, "x");
        assertThatThrownBy(() -> knowing(x, y).apply(x)).hasMessageContaining("settingsFrom loops: x -> y -> x");
        assertThatThrownBy(() -> knowing().apply(job("b", null, "../../etc")))
                .hasMessageContaining("must be a job id");
    }
}
