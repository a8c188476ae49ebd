package io.finetune.distilbert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SaveLoadTest {

    @TempDir
    Path temp;

    private Path tiny() {
        return BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
    }

    private static float[] logits(EncoderClassifier model) {
        List<int[]> inputs = List.of(new int[] {2, 119, 123, 114, 3}, new int[] {2, 136, 3});
        return flatten(Predictor.logits(model, inputs, 8));
    }

    private static float[] flatten(float[][] rows) {
        int n = 0;
        for (float[] r : rows) {
            n += r.length;
        }
        float[] out = new float[n];
        int k = 0;
        for (float[] r : rows) {
            for (float f : r) {
                out[k++] = f;
            }
        }
        return out;
    }

    @Test
    void saveThenLoadGivesSameLogitsNamesAndShapes() {
        Path saved = temp.resolve("saved");
        try (EncoderClassifier model = EncoderClassifier.load(tiny(), null, Device.cpu())) {
            float[] before = logits(model);
            model.save(saved);
            EncoderClassifier.copyTokenizerFiles(tiny(), saved);
            try (EncoderClassifier reloaded = EncoderClassifier.load(saved, null, Device.cpu())) {
                assertThat(logits(reloaded)).containsExactly(before);
                assertThat(reloaded.config()).isEqualTo(model.config());
            }
            Map<String, Safetensors.Entry> header = Safetensors.header(saved.resolve("model.safetensors"));
            Map<String, Shape> expected = EncoderClassifier.expectedShapes(model.config());
            assertThat(header.keySet()).containsExactlyElementsOf(expected.keySet());
            header.forEach((name, entry) -> {
                assertThat(entry.dtype()).isEqualTo("F32");
                assertThat(new Shape(entry.shape())).as(name).isEqualTo(expected.get(name));
            });
            assertThat(header).containsKey("distilbert.transformer.layer.1.attention.q_lin.weight");
        }
        assertThat(saved.resolve("tokenizer.json")).exists();
        assertThat(saved.resolve("vocab.txt")).exists();
        EncoderConfig config = EncoderConfig.read(saved.resolve("config.json"));
        assertThat(config.labels()).containsExactly("NEGATIVE", "POSITIVE");
    }

    @Test
    void aBertModelSavesAndLoadsWithItsOwnLayout() throws Exception {
        Path source = BundledModels.extract("bert-d32-h4-l2-c3", temp.resolve("bert"));
        Path saved = temp.resolve("bert-saved");
        try (EncoderClassifier model = EncoderClassifier.load(source, null, Device.cpu())) {
            float[] before = logits(model);
            model.save(saved);
            EncoderClassifier.copyTokenizerFiles(source, saved);
            try (EncoderClassifier reloaded = EncoderClassifier.load(saved, null, Device.cpu())) {
                assertThat(logits(reloaded)).containsExactly(before);
                assertThat(reloaded.config()).isEqualTo(model.config());
            }
            assertThat(Safetensors.header(saved.resolve("model.safetensors")).keySet())
                    .containsExactlyElementsOf(EncoderClassifier.expectedShapes(model.config()).keySet())
                    .contains("bert.embeddings.token_type_embeddings.weight", "bert.pooler.dense.weight");
        }
        Map<?, ?> config = new com.fasterxml.jackson.databind.ObjectMapper().readValue(saved.resolve("config.json").toFile(), Map.class);
        assertThat(config.get("architectures")).isEqualTo(List.of("BertForSequenceClassification"));
        assertThat(config.get("model_type")).isEqualTo("bert");
        assertThat(config.get("hidden_size")).isEqualTo(32);
        assertThat(config.get("layer_norm_eps")).isEqualTo(1e-12);
        assertThat(config.get("id2label")).isEqualTo(Map.of("0", "negative", "1", "neutral", "2", "positive"));
    }

    @Test
    void savedFilesHaveHuggingFaceLayout() throws Exception {
        Path saved = temp.resolve("saved");
        try (EncoderClassifier model = EncoderClassifier.create(
                EncoderConfig.of(8, 16, 1, 2, 20, 10, List.of("a", "b", "c")), 1, Device.cpu())) {
            model.save(saved);
        }
        byte[] bytes = Files.readAllBytes(saved.resolve("model.safetensors"));
        long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
        String header = new String(bytes, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(header).contains("\"__metadata__\":{\"format\":\"pt\"}");
        Map<?, ?> config = new com.fasterxml.jackson.databind.ObjectMapper().readValue(saved.resolve("config.json").toFile(), Map.class);
        assertThat(config.get("architectures")).isEqualTo(List.of("DistilBertForSequenceClassification"));
        assertThat(config.get("model_type")).isEqualTo("distilbert");
        assertThat(config.get("id2label")).isEqualTo(Map.of("0", "a", "1", "b", "2", "c"));
        assertThat(config.get("label2id")).isEqualTo(Map.of("a", 0, "b", 1, "c", 2));
    }

    @Test
    void createUsesHuggingFaceInitialisation() {
        EncoderConfig config = EncoderConfig.of(16, 32, 2, 4, 50, 20, List.of("x", "y"));
        try (EncoderClassifier a = EncoderClassifier.create(config, 5, Device.cpu());
             EncoderClassifier b = EncoderClassifier.create(config, 5, Device.cpu())) {
            Map<String, NDArray> p = a.parameters();
            assertThat(p.keySet()).containsExactlyElementsOf(EncoderClassifier.expectedShapes(config).keySet());
            float[] words = p.get("distilbert.embeddings.word_embeddings.weight").toFloatArray();
            for (int i = 0; i < 16; i++) {
                assertThat(words[i]).as("padding row").isZero();
            }
            assertThat(p.get("distilbert.embeddings.LayerNorm.weight").toFloatArray()).containsOnly(1f);
            assertThat(p.get("distilbert.transformer.layer.1.ffn.lin1.bias").toFloatArray()).containsOnly(0f);
            float[] q = p.get("distilbert.transformer.layer.0.attention.q_lin.weight").toFloatArray();
            double sd = Math.sqrt(java.util.Arrays.stream(toDoubles(q)).map(v -> v * v).average().orElseThrow());
            assertThat(sd).isBetween(0.015, 0.025);
            assertThat(b.parameters().get("classifier.weight").toFloatArray())
                    .containsExactly(p.get("classifier.weight").toFloatArray());
        }
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** A base/MLM checkpoint: unprefixed keys, a vocab_* head, no classifier, config without id2label. */
    private Path baseCheckpoint() throws Exception {
        Path base = temp.resolve("base");
        Files.createDirectories(base);
        try (EncoderClassifier model = EncoderClassifier.load(tiny(), null, Device.cpu());
             NDManager m = model.newBatchManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            model.parameters().forEach((name, array) -> {
                if (name.startsWith("distilbert.")) {
                    tensors.put(name.substring("distilbert.".length()), array);
                }
            });
            int dim = model.config().dim();
            tensors.put("vocab_transform.weight", m.zeros(new Shape(dim, dim)));
            tensors.put("vocab_transform.bias", m.zeros(new Shape(dim)));
            tensors.put("vocab_layer_norm.weight", m.ones(new Shape(dim)));
            tensors.put("vocab_layer_norm.bias", m.zeros(new Shape(dim)));
            tensors.put("vocab_projector.bias", m.zeros(new Shape(model.config().vocabSize())));
            Safetensors.write(base.resolve("model.safetensors"), tensors);
        }
        Map<String, Object> config = new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(tiny().resolve("config.json").toFile(), Map.class);
        config.remove("id2label");
        config.remove("label2id");
        config.put("architectures", List.of("DistilBertForMaskedLM"));
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(base.resolve("config.json").toFile(), config);
        return base;
    }

    @Test
    void baseCheckpointLoadsWithFreshClassifierHeads() throws Exception {
        Path base = baseCheckpoint();
        try (EncoderClassifier tinyModel = EncoderClassifier.load(tiny(), null, Device.cpu());
             EncoderClassifier model = EncoderClassifier.load(base, List.of("spam", "ham", "eggs"), Device.cpu())) {
            assertThat(model.config().labels()).containsExactly("spam", "ham", "eggs");
            assertThat(model.parameters().get("classifier.weight").getShape()).isEqualTo(new Shape(3, 32));
            assertThat(model.parameters().get("classifier.bias").toFloatArray()).containsOnly(0f);
            assertThat(model.parameters().get("pre_classifier.bias").toFloatArray()).containsOnly(0f);
            assertThat(model.parameters().get("distilbert.transformer.layer.1.ffn.lin1.weight").toFloatArray())
                    .containsExactly(tinyModel.parameters().get("distilbert.transformer.layer.1.ffn.lin1.weight").toFloatArray());
            assertThat(model.parameters().keySet()).noneMatch(n -> n.startsWith("vocab_"));
            assertThat(Predictor.probabilities(model, List.of(new int[] {2, 50, 3}), 1)[0]).hasSize(3);
        }
        try (EncoderClassifier model = EncoderClassifier.load(base, null, Device.cpu())) {
            assertThat(model.config().labels()).containsExactly("LABEL_0", "LABEL_1");
        }
    }

    @Test
    void classificationCheckpointWithOtherLabelCountGetsNewClassifier() {
        try (EncoderClassifier tinyModel = EncoderClassifier.load(tiny(), null, Device.cpu());
             EncoderClassifier model = EncoderClassifier.load(tiny(), List.of("a", "b", "c", "d"), Device.cpu())) {
            assertThat(model.parameters().get("classifier.weight").getShape()).isEqualTo(new Shape(4, 32));
            assertThat(model.parameters().get("pre_classifier.weight").toFloatArray())
                    .containsExactly(tinyModel.parameters().get("pre_classifier.weight").toFloatArray());
        }
    }

    @Test
    void missingTensorAndWrongShapeAreNamed() throws Exception {
        Path broken = temp.resolve("broken");
        Files.createDirectories(broken);
        Files.copy(tiny().resolve("config.json"), broken.resolve("config.json"));
        try (EncoderClassifier model = EncoderClassifier.load(tiny(), null, Device.cpu());
             NDManager m = model.newBatchManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>(model.parameters());
            tensors.remove("distilbert.transformer.layer.1.ffn.lin2.weight");
            Safetensors.write(broken.resolve("model.safetensors"), tensors);
            assertThatThrownBy(() -> EncoderClassifier.load(broken, null, Device.cpu()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("distilbert.transformer.layer.1.ffn.lin2.weight")
                    .hasMessageContaining("(32, 64)");

            tensors = new LinkedHashMap<>(model.parameters());
            tensors.put("distilbert.embeddings.LayerNorm.bias", m.zeros(new Shape(31)));
            Safetensors.write(broken.resolve("model.safetensors"), tensors);
            assertThatThrownBy(() -> EncoderClassifier.load(broken, null, Device.cpu()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("distilbert.embeddings.LayerNorm.bias")
                    .hasMessageContaining("(31)")
                    .hasMessageContaining("(32)");
        }
    }

    @Test
    void readsHalfPrecisionTensors() throws Exception {
        Path file = temp.resolve("half.safetensors");
        // 1.5 in F16 is 0x3E00, in BF16 0x3FC0; -2 is 0xC000 in both.
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}";
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8 + h.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h).putShort((short) 0x3E00).putShort((short) 0xC000)
                .putShort((short) 0x3FC0).putShort((short) 0xC000);
        Files.write(file, buf.array());
        try (NDManager m = Torch.engine().newBaseManager(Device.cpu())) {
            Map<String, NDArray> t = Safetensors.read(file, m);
            assertThat(t.get("h").toFloatArray()).containsExactly(1.5f, -2f);
            assertThat(t.get("b").toFloatArray()).containsExactly(1.5f, -2f);
        }
    }
}
