package io.finetune.distilbert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class OptimizerTest {

    /** Sets each parameter's gradient to {@code coefficients} by back-propagating sum(p × c). */
    private static void setGradients(NDManager m, Map<String, NDArray> params, float[] coefficients) {
        try (NDManager batch = m.newSubManager();
             GradientCollector collector = Torch.engine().newGradientCollector()) {
            NDArray c = batch.create(coefficients);
            NDArray total = null;
            for (NDArray p : params.values()) {
                NDArray term = c.mul(p).sum();
                total = total == null ? term : total.add(term);
            }
            collector.backward(total);
        }
    }

    @Test
    void adamWMatchesTheHandComputedTorchUpdate() {
        float[] start = {1.0f, -2.0f, 0.5f};
        float[][] grads = {{0.3f, -0.1f, 2.0f}, {-0.2f, 0.4f, 1.0f}};
        double lr = 0.1;
        double wd = 0.01;
        try (NDManager m = Torch.engine().newBaseManager(Device.cpu())) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("layer.weight", m.create(start));
            params.put("layer.bias", m.create(start));
            params.values().forEach(p -> p.setRequiresGradient(true));
            try (AdamW adam = new AdamW(params, wd, m.newSubManager())) {
                double[][] expected = {toDouble(start), toDouble(start)};
                double[][] mom = new double[2][3];
                double[][] vel = new double[2][3];
                for (int t = 1; t <= 2; t++) {
                    setGradients(m, params, grads[t - 1]);
                    adam.step(lr);
                    adam.zeroGradients();
                    for (int k = 0; k < 2; k++) {
                        boolean decay = k == 0;
                        for (int i = 0; i < 3; i++) {
                            double g = grads[t - 1][i];
                            if (decay) {
                                expected[k][i] *= 1 - lr * wd;
                            }
                            mom[k][i] = 0.9 * mom[k][i] + 0.1 * g;
                            vel[k][i] = 0.999 * vel[k][i] + 0.001 * g * g;
                            double mHat = mom[k][i] / (1 - Math.pow(0.9, t));
                            double denom = Math.sqrt(vel[k][i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
                            expected[k][i] -= lr * mHat / denom;
                        }
                    }
                }
                float[] weight = params.get("layer.weight").toFloatArray();
                float[] bias = params.get("layer.bias").toFloatArray();
                for (int i = 0; i < 3; i++) {
                    assertThat((double) weight[i]).isCloseTo(expected[0][i], within(1e-6));
                    assertThat((double) bias[i]).isCloseTo(expected[1][i], within(1e-6));
                }
                // First step of Adam moves every coordinate by about lr: the update is sign(g)·lr.
                assertThat(weight[0]).isNotEqualTo(bias[0]);
            }
        }
    }

    @Test
    void noWeightDecayOnBiasesAndLayerNorm() {
        assertThat(AdamW.decays("distilbert.transformer.layer.0.attention.q_lin.weight")).isTrue();
        assertThat(AdamW.decays("distilbert.embeddings.word_embeddings.weight")).isTrue();
        assertThat(AdamW.decays("classifier.bias")).isFalse();
        assertThat(AdamW.decays("distilbert.embeddings.LayerNorm.weight")).isFalse();
        assertThat(AdamW.decays("distilbert.transformer.layer.3.sa_layer_norm.weight")).isFalse();
        assertThat(AdamW.decays("distilbert.transformer.layer.3.output_layer_norm.weight")).isFalse();
    }

    @Test
    void linearScheduleWithWarmup() {
        LearningRateSchedule s = new LearningRateSchedule(LearningRateSchedule.Type.LINEAR, 1e-3, 2, 10);
        assertThat(s.learningRate(0)).isZero();
        assertThat(s.learningRate(1)).isCloseTo(0.5e-3, within(1e-15));
        assertThat(s.learningRate(2)).isCloseTo(1e-3, within(1e-15));
        assertThat(s.learningRate(6)).isCloseTo(0.5e-3, within(1e-15));
        assertThat(s.learningRate(9)).isCloseTo(0.125e-3, within(1e-15));
        assertThat(s.learningRate(10)).isZero();
        assertThat(LearningRateSchedule.of(LearningRateSchedule.Type.LINEAR, 1e-3, 0, 0.1, 25).warmupSteps())
                .isEqualTo(3);
        assertThat(LearningRateSchedule.of(LearningRateSchedule.Type.LINEAR, 1e-3, 5, 0.1, 25).warmupSteps())
                .as("warmup steps win over the ratio, as in TrainingArguments").isEqualTo(5);
        LearningRateSchedule noWarmup = LearningRateSchedule.of(LearningRateSchedule.Type.LINEAR, 2e-5, 0, 0.0, 4);
        assertThat(noWarmup.learningRate(0)).isEqualTo(2e-5);
        assertThat(noWarmup.learningRate(1)).isCloseTo(1.5e-5, within(1e-18));
        assertThat(noWarmup.learningRate(3)).isCloseTo(0.5e-5, within(1e-18));
    }

    @Test
    void cosineAndConstantSchedulesFollowTransformers() {
        LearningRateSchedule cosine = new LearningRateSchedule(LearningRateSchedule.Type.COSINE, 1e-3, 2, 10);
        assertThat(cosine.learningRate(1)).isCloseTo(0.5e-3, within(1e-15));
        assertThat(cosine.learningRate(2)).isCloseTo(1e-3, within(1e-15));
        assertThat(cosine.learningRate(6)).isCloseTo(0.5e-3, within(1e-15)); // half way down the half cosine
        assertThat(cosine.learningRate(10)).isCloseTo(0, within(1e-15));
        LearningRateSchedule warm = new LearningRateSchedule(LearningRateSchedule.Type.CONSTANT_WITH_WARMUP, 1e-3, 4,
                10);
        assertThat(warm.learningRate(1)).isCloseTo(0.25e-3, within(1e-15));
        assertThat(warm.learningRate(9)).isEqualTo(1e-3);
        assertThat(new LearningRateSchedule(LearningRateSchedule.Type.CONSTANT, 1e-3, 4, 10).learningRate(0))
                .as("constant has no warmup, in transformers either").isEqualTo(1e-3);
        assertThat(LearningRateSchedule.Type.of("cosine")).isEqualTo(LearningRateSchedule.Type.COSINE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LearningRateSchedule.Type.of("polynomial"))
                .hasMessageContaining("lr_scheduler_type must be one of linear, cosine, constant, "
                        + "constant_with_warmup");
    }

    @Test
    void clipsTheGlobalGradientNorm() {
        try (EncoderClassifier model = EncoderClassifier.create(
                EncoderConfig.of(8, 16, 1, 2, 10, 8, List.of("a", "b")), 1, Device.cpu());
             NDManager m = model.newBatchManager()) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("a", m.create(new float[] {1f, 1f}));
            params.put("b", m.create(new float[] {1f, 1f}));
            params.values().forEach(p -> p.setRequiresGradient(true));
            setGradients(m, params, new float[] {1.5f, 2f}); // each gradient [1.5, 2]: global norm sqrt(12.5)
            double norm = FineTuner.clipGradients(params, 1.0, model);
            assertThat(norm).isCloseTo(Math.sqrt(12.5), within(1e-6));
            float[] g = params.get("a").getGradient().toFloatArray();
            double scale = 1.0 / (Math.sqrt(12.5) + 1e-6);
            assertThat((double) g[0]).isCloseTo(1.5 * scale, within(1e-6));
            assertThat((double) g[1]).isCloseTo(2.0 * scale, within(1e-6));
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
