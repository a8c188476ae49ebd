package io.finetune.trainer.training;

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

/** HF's {@code bf16} flag: read from a job's JSON and refused with the reason, never silently dropped. */
class HyperparameterPrecisionTest {
    @TempDir
    Path temp;

    private EncoderConfig tiny() {
        return EncoderConfig.read(BundledModels.extract(BundledModels.DEMO_MODEL, temp).resolve("config.json"));
    }

    @Test
    void bf16TrueIsRefusedWithTheReason() {
        Hyperparameters h = Json.read("{\"bf16\": true, \"epochs\": 0}", Hyperparameters.class);
        assertThat(h.bf16()).isTrue();
        assertThatThrownBy(() -> HyperparameterPolicy.resolve(h, tiny(), 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bf16 is not available")
                .hasMessageContaining("no bfloat16 tensors")
                .hasMessageContaining("epochs must be in [1, 1000]"); // listed with the other problems
    }

    @Test
    void bf16FalseOrAbsentTrainsInFloat32() {
        Hyperparameters off = Json.read("{\"bf16\": false}", Hyperparameters.class);
        TrainingConfig c = HyperparameterPolicy.resolve(off, tiny(), 2);
        assertThat(c).isEqualTo(HyperparameterPolicy.resolve(Hyperparameters.defaults(), tiny(), 2));
    }
}
