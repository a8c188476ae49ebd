package io.finetune.distilbert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Parity with Hugging Face's DistilBertForSequenceClassification and BertForSequenceClassification on checkpoints
 * whose golden outputs were computed in float64: by the reference math for DistilBERT (src/test/python/make_golden.py)
 * and by transformers itself for BERT (src/test/python/make_golden_bert.py).
 */
class ParityTest {

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"distilbert-tiny", "distilbert-d48-h3-l3-c3", "distilbert-d16-h2-l1-c5", "bert-d32-h4-l2-c3",
            "bert-d24-h2-l3-c2"})
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

    /**
     * A {@code BertModel} checkpoint (unprefixed names) and a {@code BertForMaskedLM} one (no pooler, a masked-LM
     * head) load into the classifier with a new head, and their encoder computes what transformers' does.
     */
    @ParameterizedTest
    @ValueSource(strings = {"bert-d32-base", "bert-d32-mlm"})
    void baseCheckpointsLoadTheEncoder(String name) throws Exception {
        JsonNode golden = new ObjectMapper().readTree(getClass().getResourceAsStream("/golden/bert-d32-h4-l2-c3.json"));
        double[][][] expected = new ObjectMapper().treeToValue(golden.get("base_last_hidden_state"), double[][][].class);
        long[][] ids = new ObjectMapper().treeToValue(golden.get("input_ids"), long[][].class);
        long[][] mask = new ObjectMapper().treeToValue(golden.get("attention_mask"), long[][].class);
        Path dir = BundledModels.extract(name, temp.resolve(name));
        try (EncoderClassifier model = EncoderClassifier.load(dir, List.of("a", "b"), Device.cpu());
             NDManager batch = model.newBatchManager()) {
            assertThat(model.parameters()).containsKeys("bert.pooler.dense.weight", "classifier.weight");
            assertThat(model.parameters().get("classifier.weight").getShape().get(0)).isEqualTo(2);
            float[] hidden = model.hiddenStates(batch.create(ids), batch.create(mask), false).toFloatArray();
            double[][] flat = java.util.Arrays.stream(expected).flatMap(java.util.Arrays::stream).toArray(double[][]::new);
            assertClose(hidden, flat, 1e-4, "last hidden state");
            // The pooler: kept from BertModel, new (HF's init: zero bias) for the masked-LM checkpoint, which has none.
            float[] poolerBias = model.parameters().get("bert.pooler.dense.bias").toFloatArray();
            if (name.endsWith("-mlm")) {
                assertThat(poolerBias).containsOnly(0f);
            } else {
                assertThat(poolerBias).isNotEqualTo(new float[poolerBias.length]);
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
