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

/**
 * HF's {@code bf16}, {@code fp16} and {@code tf32} flags: read from a job's JSON, and either honoured or refused with
 * the reason, never dropped.
 */
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

    @Test
    void fp16TrueTrainsInFp16WhereTheCpuHasFloat16UnitsAndIsRefusedWithTheReasonElsewhere() {
        Hyperparameters h = Json.read("{\"fp16\": true}", Hyperparameters.class);
        assertThat(h.fp16()).isTrue();
        Optional<String> unsupported = Autocast.unsupportedReason(Precision.FP16, Device.cpu());
        if (unsupported.isEmpty()) {
            assertThat(HyperparameterPolicy.resolve(h, tiny(), 2, Device.cpu()).precision()).isEqualTo(Precision.FP16);
        } else {
            assertThatThrownBy(() -> HyperparameterPolicy.resolve(h, tiny(), 2, Device.cpu()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(unsupported.get())
                    .hasMessageContaining("avx512_fp16");
        }
        // On a GPU libtorch decides: the policy does not second-guess it.
        assertThat(HyperparameterPolicy.resolve(h, tiny(), 2, Device.gpu()).precision()).isEqualTo(Precision.FP16);
    }

    @Test
    void bf16AndFp16TogetherAreRefusedAsTrainingArgumentsRefusesThem() {
        Hyperparameters h = Json.read("{\"bf16\": true, \"fp16\": true}", Hyperparameters.class);
        assertThatThrownBy(() -> HyperparameterPolicy.resolve(h, tiny(), 2, Device.gpu()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bf16 and fp16 cannot both be true");
    }

    @Test
    void tf32IsRefusedOnTheCpuAndKeptInTheConfigWhereItApplies() {
        Hyperparameters h = Json.read("{\"tf32\": true}", Hyperparameters.class);
        assertThatThrownBy(() -> HyperparameterPolicy.resolve(h, tiny(), 2, Device.cpu()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tf32 needs an NVIDIA GPU of the Ampere generation or newer");
        TrainingConfig off = HyperparameterPolicy.resolve(Json.read("{\"tf32\": false}", Hyperparameters.class),
                tiny(), 2, Device.cpu());
        assertThat(off.tf32()).isFalse();
    }

    @Test
    void theEffectiveHyperparametersNameThePrecisionThatRan() {
        TrainingConfig fp16 = TrainingConfig.defaults().withPrecision(Precision.FP16).withTf32(true);
        Hyperparameters recorded = TrainingRun.effective(fp16);
        assertThat(recorded.fp16()).isTrue();
        assertThat(recorded.bf16()).isFalse();
        assertThat(recorded.tf32()).isTrue();
    }
}
