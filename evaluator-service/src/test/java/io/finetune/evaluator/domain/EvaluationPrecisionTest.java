package io.finetune.evaluator.domain;

import ai.djl.Device;
import io.finetune.distilbert.Autocast;
import io.finetune.distilbert.Precision;
import io.finetune.evaluator.config.EvaluatorConfig;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** evaluator.precision: its default, its spellings, and the start-up check against the evaluator's device. */
class EvaluationPrecisionTest {
    private static final String NO_BF16 = "bf16 needs a CPU with bfloat16 arithmetic (flag amx_bf16 or avx512_bf16); "
            + "this CPU (Old Xeon) has neither";

    @Test
    void theDefaultIsFp32AndTheFlagNamesAreAccepted() {
        assertThat(mapped().precision()).isEqualTo(Precision.FP32);
        assertThat(mapped(new PropertiesConfigSource(Map.of("evaluator.precision", "bf16"), "properties", 250))
                .precision()).isEqualTo(Precision.BF16);
        assertThat(mapped(new EnvConfigSource(Map.of("EVALUATOR_PRECISION", "fp16"), 300)).precision())
                .isEqualTo(Precision.FP16);
    }

    @Test
    void anUnknownPrecisionIsRefusedWithTheAllowedValues() {
        assertThatThrownBy(() -> mapped(new PropertiesConfigSource(Map.of("evaluator.precision", "int8"),
                "properties", 250))).hasMessageContaining("evaluator.precision")
                .hasMessageContaining("Cannot convert int8").hasMessageContaining("allowed values:")
                .hasMessageContaining("bf16");
    }

    @Test
    void aPrecisionTheDeviceCannotRunStopsStartUpWithTheReason() {
        assertThatThrownBy(() -> new EvaluationPrecision(Precision.BF16, Device::cpu,
                (precision, device) -> precision == Precision.BF16 ? Optional.of(NO_BF16) : Optional.empty()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("evaluator.precision=bf16 cannot run on cpu()")
                .hasMessageContaining(NO_BF16)
                .hasMessageContaining("evaluator.precision=fp32");
    }

    @Test
    void aPrecisionTheDeviceRunsIsKept() {
        EvaluationPrecision bf16 = new EvaluationPrecision(Precision.BF16, Device::cpu,
                (precision, device) -> Optional.empty());

        assertThat(bf16.get()).isEqualTo(Precision.BF16);
        assertThat(bf16.flag()).isEqualTo("bf16");
    }

    @Test
    void fp32NeedsNoDeviceAtStartUp() {
        EvaluationPrecision fp32 = new EvaluationPrecision(Precision.FP32, () -> {
            throw new AssertionError("fp32 resolved the device: that loads libtorch at start-up for nothing");
        }, (precision, device) -> Optional.of("never asked"));

        assertThat(fp32.get()).isEqualTo(Precision.FP32);
        assertThat(fp32.flag()).isEqualTo("fp32");
    }

    /** The service's constructor asks Autocast about the configured device: this CPU's answer decides. */
    @Test
    void theServiceChecksTheConfiguredDeviceWithAutocast() {
        TestEvaluatorConfig config = TestEvaluatorConfig.in(Path.of("unused")).withPrecision(Precision.BF16);
        Optional<String> reason = Autocast.unsupportedReason(Precision.BF16, Device.cpu());
        System.out.println("EvaluationPrecisionTest: CPU " + Autocast.cpuModel() + ", bf16 "
                + reason.orElse("supported"));

        if (reason.isPresent()) {
            assertThatThrownBy(() -> new EvaluationPrecision(config)).hasMessageContaining(reason.get());
        } else {
            assertThat(new EvaluationPrecision(config).get()).isEqualTo(Precision.BF16);
        }
    }

    /** The mapping as Quarkus builds it, from the given sources and the interface's defaults. */
    private static EvaluatorConfig mapped(ConfigSource... sources) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(EvaluatorConfig.class)
                .withConverter(Path.class, 100, Path::of)
                .withSources(new PropertiesConfigSource(Map.of("evaluator.data-dir", "data"), "required", 100))
                .withSources(sources).build();
        return config.getConfigMapping(EvaluatorConfig.class);
    }
}
