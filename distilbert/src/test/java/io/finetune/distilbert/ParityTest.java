package io.finetune.distilbert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Parity with Hugging Face's DistilBertForSequenceClassification on checkpoints whose golden outputs were computed in
 * float64 by the reference math (see src/test/python/make_golden.py).
 */
class ParityTest {

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"distilbert-tiny", "distilbert-d48-h3-l3-c3", "distilbert-d16-h2-l1-c5"})
    void matchesGoldenOutputs(String name) throws Exception {
        Golden golden = Golden.read("/golden/" + name + ".json");
        Path dir = BundledModels.extract(name, temp.resolve(name));

        try (TextTokenizer tokenizer = TextTokenizer.load(dir, 512)) {
            for (int i = 0; i < golden.texts().size(); i++) {
                assertThat(tokenizer.encode(golden.texts().get(i)).inputIds())
                        .as("input ids of text %d", i).containsExactly(golden.unpaddedIds(i));
            }
        }

        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu());
             NDManager batch = model.newBatchManager()) {
            NDArray ids = batch.create(golden.inputIds());
            NDArray mask = batch.create(golden.attentionMask());
            assertClose(model.logits(ids, mask, false).toFloatArray(), golden.logits(), golden.logitsTolerance(), "logits");
            assertClose(model.clsHiddenState(ids, mask, false).toFloatArray(), golden.clsHiddenState(), 1e-4, "[CLS]");

            Map<String, NDArray> params = model.parameters();
            try (GradientCollector collector = Torch.engine().newGradientCollector()) {
                NDArray loss = Losses.crossEntropy(model.logits(ids, mask, false), batch.create(golden.labels()));
                assertThat((double) loss.getFloat()).as("loss")
                        .isCloseTo(golden.crossEntropyLossMean(), within(golden.lossTolerance()));
                collector.backward(loss);
            }
            for (Map.Entry<String, Double> e : golden.gradL2Norms().entrySet()) {
                NDArray grad = params.get(e.getKey()).getGradient();
                grad.attach(batch);
                double norm = Math.sqrt(grad.square().sum().getFloat());
                assertThat(norm).as("gradient norm of %s", e.getKey())
                        .isCloseTo(e.getValue(), within(golden.gradRelativeTolerance() * e.getValue()));
            }
            for (Map.Entry<String, double[]> e : golden.gradSamples().entrySet()) {
                NDArray grad = params.get(e.getKey()).getGradient();
                grad.attach(batch);
                float[] values = grad.toFloatArray();
                double scale = golden.gradL2Norms().getOrDefault(e.getKey(), 1.0);
                for (int i = 0; i < e.getValue().length; i++) {
                    assertThat((double) values[i]).as("gradient %s[%d]", e.getKey(), i)
                            .isCloseTo(e.getValue()[i], within(1e-5 + golden.gradRelativeTolerance() * Math.abs(e.getValue()[i])
                                    + 1e-4 * scale));
                }
            }
        }
    }

    private static void assertClose(float[] actual, double[][] expected, double tolerance, String what) {
        int k = 0;
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++, k++) {
                assertThat((double) actual[k]).as("%s[%d][%d]", what, i, j).isCloseTo(expected[i][j], within(tolerance));
            }
        }
        assertThat(actual).hasSize(k);
    }

}
