package io.finetune.trainer.training;

import ai.djl.Device;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.distilbert.Autocast;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.Precision;
import io.finetune.distilbert.TrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HF's {@code bf16} flag: read from a job's JSON, and either honoured or refused with the reason, never dropped. */
class HyperparameterPrecisionTest {
    @TempDir
    Path temp;

    private EncoderConfig tiny() {
        return EncoderConfig.read(BundledModels.extract(BundledModels.DEMO_MODEL, temp).resolve("config.json"));
    }

    @Test
    void bf16TrueTrainsInBf16WhereTheCpuHasItAndIsRefusedWithTheReasonElsewhere() {
        Hyperparameters h = Json.read("{\"bf16\": true}", Hyperparameters.class);
        assertThat(h.bf16()).isTrue();
        Optional<String> unsupported = Autocast.unsupportedReason(Precision.BF16, Device.cpu());
        if (unsupported.isEmpty()) {
            assertThat(HyperparameterPolicy.resolve(h, tiny(), 2, Device.cpu()).precision()).isEqualTo(Precision.BF16);
        } else {
            assertThatThrownBy(() -> HyperparameterPolicy.resolve(h, tiny(), 2, Device.cpu()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(unsupported.get());
        }
    }

    @Test
    void anUnsupportedBf16IsListedWithTheOtherProblems() {
        Hyperparameters h = Json.read("{\"bf16\": true, \"epochs\": 0}", Hyperparameters.class);
        assertThatThrownBy(() -> HyperparameterPolicy.resolve(h, tiny(), 2, Device.cpu()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epochs must be in [1, 1000]");
    }

    @Test
    void bf16FalseOrAbsentTrainsInFloat32() {
        Hyperparameters off = Json.read("{\"bf16\": false}", Hyperparameters.class);
        TrainingConfig c = HyperparameterPolicy.resolve(off, tiny(), 2, Device.cpu());
        assertThat(c.precision()).isEqualTo(Precision.FP32);
        assertThat(c).isEqualTo(HyperparameterPolicy.resolve(Hyperparameters.defaults(), tiny(), 2, Device.cpu()));
    }
}
