package io.finetune.distilbert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * bfloat16 mixed precision through libtorch's autocast: the forward pass runs (DJL never sees a bfloat16 type code),
 * stays close to float32, and training in it learns while weights and gradients stay float32.
 */
class AutocastTest {

    @TempDir
    Path temp;

    @BeforeAll
    static void printTheCpu() {
        System.out.println("AutocastTest: CPU " + Autocast.cpuModel() + ", bf16 flags found: "
                + Autocast.cpuFlags().stream().filter(Autocast.CPU_BF16_FLAGS::contains).toList()
                + ", fp16 flags found: " + Autocast.cpuFlags().stream().filter(Autocast.CPU_FP16_FLAGS::contains).toList());
    }

    /** Skips a test that needs bfloat16 arithmetic, visibly, on a CPU without it. */
    private static void assumeBf16() {
        String reason = Autocast.unsupportedReason(Precision.BF16, Device.cpu()).orElse(null);
        assumeTrue(reason == null, reason);
    }

    @Test
    void bf16IsRefusedOnACpuWithoutBfloat16UnitsAndNeverForFloat32() {
        List<String> avx2Only = List.of("fpu", "sse2", "avx2", "fma");
        assertThat(Autocast.unsupportedReason(Precision.BF16, Device.cpu(), avx2Only, "Old Xeon"))
                .hasValueSatisfying(reason -> assertThat(reason).contains("Old Xeon").contains("avx512_bf16"));
        assertThat(Autocast.unsupportedReason(Precision.BF16, Device.cpu(), List.of("avx512_bf16"), "EPYC")).isEmpty();
        assertThat(Autocast.unsupportedReason(Precision.BF16, Device.cpu(), List.of("amx_bf16"), "Xeon")).isEmpty();
        assertThat(Autocast.unsupportedReason(Precision.FP32, Device.cpu(), avx2Only, "Old Xeon")).isEmpty();
        // float16 needs its own units; a CPU with bfloat16 ones is pointed to bf16.
        assertThat(Autocast.unsupportedReason(Precision.FP16, Device.cpu(), List.of("avx512_bf16"), "EPYC"))
                .hasValueSatisfying(reason -> assertThat(reason).contains("avx512_fp16").contains("use bf16"));
        assertThat(Autocast.unsupportedReason(Precision.FP16, Device.cpu(), List.of("avx512_fp16"), "Xeon")).isEmpty();
        assertThat(Autocast.unsupportedReason(Precision.FP16, Device.gpu(), avx2Only, "Old Xeon")).isEmpty();
        try (Autocast.Scope none = Autocast.enter(Precision.FP32, Device.cpu())) {
            assertThat(Autocast.active()).isFalse();
        }
    }

    /**
     * bfloat16 keeps 8 significant bits, and the error grows through the layers: torch.autocast itself puts these
     * fixtures' logits up to 0.09 (distilbert-tiny) and 0.012 (bert-d32) away from the float64 golden values. A
     * wrong layer or a lost residual moves them by far more than the 0.15 allowed here.
     */
    @ParameterizedTest
    @ValueSource(strings = {"distilbert-tiny", "bert-d32-h4-l2-c3"})
    void logitsInBf16StayCloseToFloat32(String name) {
        assumeBf16();
        Golden golden = Golden.read("/golden/" + name + ".json");
        Path dir = BundledModels.extract(name, temp.resolve(name));
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu());
             NDManager batch = model.newBatchManager()) {
            NDArray ids = batch.create(golden.inputIds());
            NDArray mask = batch.create(golden.attentionMask());
            float[] mixed;
            try (Autocast.Scope scope = Autocast.enter(Precision.BF16, Device.cpu())) {
                NDArray logits = model.logits(ids, mask, false);
                assertThat(logits.getDataType()).isEqualTo(DataType.FLOAT32);
                mixed = logits.toFloatArray();
            }
            assertThat(Autocast.active()).isFalse();
            float[] single = model.logits(ids, mask, false).toFloatArray();
            double moved = 0;
            for (int i = 0; i < single.length; i++) {
                moved = Math.max(moved, Math.abs(single[i] - mixed[i]));
            }
            assertThat(moved).as("bfloat16 rounding shows: the products did run in bfloat16").isGreaterThan(1e-4);
            double[][] expected = golden.logits();
            int k = 0;
            for (double[] row : expected) {
                for (double v : row) {
                    assertThat((double) mixed[k++]).isCloseTo(v, within(0.15));
                }
            }
            // After the scope, float32 again and exactly as before.
            float[] after = model.logits(ids, mask, false).toFloatArray();
            assertThat((double) after[0]).isCloseTo(expected[0][0], within(1e-4));
        }
    }

    @Test
    void trainingInBf16LearnsAndKeepsFloat32Weights() {
        assumeBf16();
        Path dir = BundledModels.extract("bert-d32-h4-l2-c3", temp.resolve("bert"));
        List<String> labels = List.of("NEGATIVE", "POSITIVE");
        TrainingConfig config = TrainingConfig.defaults().withLearningRate(1e-3).withBatchSize(16).withEpochs(3)
                .withPrecision(Precision.BF16);
        try (EncoderClassifier model = EncoderClassifier.load(dir, labels, Device.cpu())) {
            List<Example> train = SyntheticSentiment.examples(dir, 192, 3);
            List<Example> validation = SyntheticSentiment.examples(dir, 64, 4);
            TrainingResult result = new FineTuner(config).train(model, train, validation, null);
            assertThat(result.bestEpoch().validationAccuracy()).isGreaterThan(0.9);
            model.parameters().values().forEach(p -> assertThat(p.getDataType()).isEqualTo(DataType.FLOAT32));
        }
    }
}
