package io.finetune.distilbert;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * torch.amp.GradScaler's update rule, step by step; the whole float16 loop against torch's own GradScaler is in
 * TransformersParityTest.
 */
class LossScalerTest {

    @Test
    void aStepWithNonFiniteGradientsIsSkippedAndHalvesTheScale() {
        LossScaler scaler = new LossScaler(65536);
        assertThat(scaler.update(true)).as("finite: the step applies").isFalse();
        assertThat(scaler.update(false)).as("inf or NaN: the step is skipped").isTrue();
        assertThat(scaler.scale()).isEqualTo(32768);
        assertThat(scaler.state().growthTracker()).as("a skip starts the count of good steps again").isZero();
    }

    @Test
    void theScaleDoublesAfterTwoThousandGoodStepsInARow() {
        LossScaler scaler = new LossScaler(1024);
        for (int i = 0; i < LossScaler.GROWTH_INTERVAL - 1; i++) {
            scaler.update(true);
        }
        assertThat(scaler.scale()).isEqualTo(1024);
        scaler.update(true);
        assertThat(scaler.scale()).isEqualTo(2048);
        assertThat(scaler.state().growthTracker()).isZero();
        // An overflow in between resets the count.
        for (int i = 0; i < 1500; i++) {
            scaler.update(true);
        }
        scaler.update(false);
        for (int i = 0; i < 1999; i++) {
            scaler.update(true);
        }
        assertThat(scaler.scale()).isEqualTo(1024);
    }

    @Test
    void theScaleNeverGrowsBeyondFloat32() {
        LossScaler scaler = new LossScaler(0x1p127);
        for (int i = 0; i < LossScaler.GROWTH_INTERVAL; i++) {
            scaler.update(true);
        }
        assertThat(scaler.scale()).isEqualTo(0x1p127);
    }

    @Test
    void fortyOneOverflowsInARowFromTheDefaultMeanTheLossItselfDiverged() {
        LossScaler scaler = new LossScaler(LossScaler.DEFAULT_INITIAL_SCALE);
        for (int i = 0; i < 41; i++) {
            assertThat(scaler.collapsed()).isFalse();
            scaler.update(false);
        }
        assertThat(scaler.collapsed()).isTrue();
    }

    @Test
    void itsStateRestoresTheScaleAndTheCountOfGoodSteps() {
        LossScaler a = new LossScaler(65536);
        a.update(false);
        for (int i = 0; i < 1234; i++) {
            a.update(true);
        }
        LossScaler b = new LossScaler(65536);
        b.restore(a.state());
        assertThat(b.state()).isEqualTo(new LossScaler.State(32768, 1234));
        for (int i = 0; i < 766; i++) {
            b.update(true);
        }
        assertThat(b.scale()).isEqualTo(65536);
    }

    @Test
    void anImpossibleInitialScaleIsRefused() {
        for (double bad : List.of(0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY)) {
            assertThatThrownBy(() -> new LossScaler(bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> TrainingConfig.defaults().withInitialLossScale(bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** HF's two flags, as TrainingArguments reads them. */
    @Test
    void precisionFollowsHuggingFacesFlags() {
        assertThat(Precision.of(null, null)).isEqualTo(Precision.FP32);
        assertThat(Precision.of(true, false)).isEqualTo(Precision.BF16);
        assertThat(Precision.of(false, true)).isEqualTo(Precision.FP16);
        assertThatThrownBy(() -> Precision.of(true, true)).hasMessageContaining("cannot both be true");
        assertThat(Precision.ofFlag("bf16")).isEqualTo(Precision.BF16);
        assertThat(Precision.ofFlag("FP16")).isEqualTo(Precision.FP16);
        assertThatThrownBy(() -> Precision.ofFlag("int8")).hasMessageContaining("unknown precision 'int8'");
        assertThat(Precision.FP16.scalesLoss()).isTrue();
        assertThat(Precision.BF16.scalesLoss()).isFalse();
    }

    /** The switches are libtorch's own: what is set reads back, and TF32 needs an Ampere GPU. */
    @Test
    void tf32SwitchesLibtorchsGlobalContextAndNeedsAnAmpereGpu() {
        boolean before = Tf32.enabled();
        try {
            Tf32.set(true);
            assertThat(Tf32.enabled()).isTrue();
            Tf32.set(false);
            assertThat(Tf32.enabled()).isFalse();
        } finally {
            Tf32.set(before);
        }
        assertThat(Tf32.unsupportedReason(Device.cpu())).hasValueSatisfying(r -> assertThat(r).contains("CPU"));
        assertThat(Tf32.unsupportedReason(Device.gpu(), "75")).hasValueSatisfying(r -> assertThat(r).contains("7.5"));
        assertThat(Tf32.unsupportedReason(Device.gpu(), "80")).isEmpty();
        assertThat(Tf32.unsupportedReason(Device.gpu(), "90")).isEmpty();
    }
}
