package io.finetune.distilbert.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.finetune.distilbert.Safetensors;
import io.finetune.distilbert.onnx.proto.GraphProto;
import io.finetune.distilbert.onnx.proto.ModelProto;
import io.finetune.distilbert.onnx.proto.NodeProto;
import io.finetune.distilbert.onnx.proto.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BertGraphMappingTest {
    @TempDir
    Path tmp;

    @Test
    void mapsEveryTensorByStructureAndWritesBertConfig() throws Exception {
        ModelProto model = TinyBertExport.model();
        ImportReport report = importModel(model);

        JsonNode config = TokenizerFiles.JSON.readTree(tmp.resolve("model/config.json").toFile());
        assertThat(config.path("model_type").asText()).isEqualTo("bert");
        assertThat(config.path("architectures").get(0).asText()).isEqualTo("BertModel");
        assertThat(config.path("num_hidden_layers").asInt()).isEqualTo(TinyBertExport.LAYERS);
        assertThat(config.path("hidden_size").asInt()).isEqualTo(TinyBertExport.HIDDEN);
        assertThat(config.path("num_attention_heads").asInt()).isEqualTo(TinyBertExport.HEADS);
        assertThat(config.path("intermediate_size").asInt()).isEqualTo(TinyBertExport.FFN);
        assertThat(config.path("vocab_size").asInt()).isEqualTo(TinyBertExport.VOCAB.size());
        assertThat(config.path("max_position_embeddings").asInt()).isEqualTo(TinyBertExport.POSITIONS);
        assertThat(config.path("layer_norm_eps").asDouble()).isEqualTo(1e-12);
        assertThat(config.path("hidden_act").asText()).isEqualTo("gelu");
        assertThat(config.path("pad_token_id").asInt()).isZero();
        JsonNode tokenizerConfig = TokenizerFiles.JSON.readTree(tmp.resolve("model/tokenizer_config.json").toFile());
        assertThat(tokenizerConfig.path("do_lower_case").asBoolean()).isTrue();
        assertThat(TokenizerFiles.JSON.readTree(tmp.resolve("model/tokenizer.json").toFile()).path("truncation")
                .isNull()).isTrue();

        assertThat(report.counts().linearWeights()).isEqualTo(6 * TinyBertExport.LAYERS);
        assertThat(report.counts().biases()).isEqualTo(6 * TinyBertExport.LAYERS);
        assertThat(report.counts().layerNorms()).isEqualTo(2 + 4 * TinyBertExport.LAYERS);
        assertThat(report.counts().embeddings()).isEqualTo(3);
        assertThat(report.counts().skipped()).containsExactly("embeddings.position_ids");
        assertThat(Safetensors.header(tmp.resolve("model/model.safetensors"))).hasSize(report.counts().total());

        // layer 1's intermediate.dense is the MatMul whose product is added to that bias: [in, out] → [out, in]
        OnnxGraph graph = new OnnxGraph(model.getGraph());
        String anonymous = graph.consumers("encoder.layer.1.intermediate.dense.bias").get(0).getInputList().stream()
                .flatMap(in -> graph.producer(in, "MatMul").stream()).findFirst().orElseThrow().getInput(1);
        assertThat(anonymous).startsWith("onnx::MatMul_");
        float[] stored = OnnxTensors.floats(graph.initializer(anonymous));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray imported = Safetensors.read(tmp.resolve("model/model.safetensors"), manager)
                    .get("encoder.layer.1.intermediate.dense.weight");
            assertThat(imported.getShape().getShape()).containsExactly(TinyBertExport.FFN, TinyBertExport.HIDDEN);
            float[] values = imported.toFloatArray();
            for (int out = 0; out < TinyBertExport.FFN; out++) {
                for (int in = 0; in < TinyBertExport.HIDDEN; in++) {
                    assertThat(values[out * TinyBertExport.HIDDEN + in]).isEqualTo(stored[in * TinyBertExport.FFN + out]);
                }
            }
        }
    }

    @Test
    void theGeneratedNamesOfTheWeightsDoNotMatter() throws Exception {
        importModel(TinyBertExport.model());
        // Reverse the numbering of the anonymous weights: a mapping by name order would now swap layers.
        ModelProto renamed = rewrite(TinyBertExport.model(), g -> {
            GraphProto.Builder b = g.toBuilder();
            for (int i = 0; i < b.getInitializerCount(); i++) {
                b.setInitializer(i, b.getInitializer(i).toBuilder().setName(reversed(b.getInitializer(i).getName())));
            }
            for (int i = 0; i < b.getNodeCount(); i++) {
                NodeProto.Builder n = b.getNode(i).toBuilder();
                for (int j = 0; j < n.getInputCount(); j++) {
                    n.setInput(j, reversed(n.getInput(j)));
                }
                b.setNode(i, n);
            }
            return b.build();
        });
        OnnxBertImporter.of(renamed, TinyBertExport.tokenizerJson(), "renamed").writeTo(tmp.resolve("renamed"));
        assertThat(Files.mismatch(tmp.resolve("model/model.safetensors"), tmp.resolve("renamed/model.safetensors")))
                .isEqualTo(-1);
    }

    @Test
    void aMissingBiasIsNamed() {
        assertThatThrownBy(() -> importModel(withoutInitializer("encoder.layer.1.attention.self.key.bias")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lacks").hasMessageContaining("encoder.layer.1.attention.self.key.bias");
    }

    @Test
    void aWeightThatFeedsNoAddWithANamedBiasIsRefused() {
        ModelProto model = rewrite(TinyBertExport.model(), g -> g.toBuilder()
                .addInitializer(TinyBertExport.floatTensor("onnx::MatMul_999", new long[] {8, 8}, new float[64]))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("/extra/MatMul")
                        .addInput(g.getNode(g.getNodeCount() - 1).getOutput(0)).addInput("onnx::MatMul_999")
                        .addOutput("extra")).build());
        assertThatThrownBy(() -> importModel(model)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onnx::MatMul_999").hasMessageContaining("feeds no Add with a named bias");
    }

    @Test
    void aFloatTensorThatNothingPlacesIsNotDropped() {
        ModelProto model = rewrite(TinyBertExport.model(), g -> g.toBuilder()
                .addInitializer(TinyBertExport.floatTensor("classifier.weight", new long[] {2, 8}, new float[16])).build());
        assertThatThrownBy(() -> importModel(model)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("classifier.weight").hasMessageContaining("refusing to drop it");
    }

    @Test
    void unexpectedOperatorsAreNamed() {
        ModelProto model = rewrite(TinyBertExport.model(), g -> g.toBuilder()
                .addNode(NodeProto.newBuilder().setOpType("Attention").setDomain("com.microsoft").setName("/fused"))
                .build());
        assertThatThrownBy(() -> importModel(model)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unexpected operators").hasMessageContaining("com.microsoft.Attention");
    }

    @Test
    void aQuantizedModelIsRefused() {
        ModelProto model = rewrite(TinyBertExport.model(), g -> g.toBuilder()
                .addInitializer(TensorProto.newBuilder().setName("onnx::MatMul_quantized").addDims(8).addDims(8)
                        .setDataType(TensorProto.DataType.INT8_VALUE).setRawData(ByteString.copyFrom(new byte[64])))
                .addNode(NodeProto.newBuilder().setOpType("MatMulInteger").setName("/q")
                        .addInput("x").addInput("onnx::MatMul_quantized").addOutput("q")).build());
        assertThatThrownBy(() -> importModel(model)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quantized model").hasMessageContaining("MatMulInteger")
                .hasMessageContaining("onnx::MatMul_quantized [8, 8] int8");
    }

    @Test
    void theTanhApproximationOfGeluIsRefused() {
        ModelProto model = rewrite(TinyBertExport.model(), g -> {
            GraphProto.Builder b = g.toBuilder();
            for (int i = 0; i < b.getNodeCount(); i++) {
                if (b.getNode(i).getOpType().equals("Erf")) {
                    b.setNode(i, b.getNode(i).toBuilder().setOpType("Tanh"));
                }
            }
            return b.build();
        });
        assertThatThrownBy(() -> importModel(model)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tanh approximation of GELU");
    }

    @Test
    void float16WeightsAreRefused() {
        ModelProto model = rewrite(TinyBertExport.model(), g -> {
            GraphProto.Builder b = g.toBuilder();
            b.setInitializer(1, b.getInitializer(1).toBuilder().setDataType(TensorProto.DataType.FLOAT16_VALUE));
            return b.build();
        });
        assertThatThrownBy(() -> importModel(model)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("float16").hasMessageContaining("only float32");
    }

    @Test
    void somethingThatIsNoOnnxModelSaysSo() {
        assertThatThrownBy(() -> OnnxModelReader.parse(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5}), "x.onnx"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x.onnx is not an ONNX model");
    }

    @Test
    void nothingIsWrittenWhenTheExportCannotBeMapped() {
        assertThatThrownBy(() -> importModel(withoutInitializer("encoder.layer.0.output.dense.bias")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(tmp.resolve("model")).doesNotExist();
        assertThat(tmp.toFile().list()).isEmpty();
    }

    private ImportReport importModel(ModelProto model) {
        return OnnxBertImporter.of(model, TinyBertExport.tokenizerJson(), "tiny").writeTo(tmp.resolve("model"));
    }

    private static ModelProto withoutInitializer(String name) {
        return rewrite(TinyBertExport.model(), g -> {
            GraphProto.Builder b = g.toBuilder().clearInitializer();
            g.getInitializerList().stream().filter(t -> !t.getName().equals(name)).forEach(b::addInitializer);
            return b.build();
        });
    }

    private static ModelProto rewrite(ModelProto model, UnaryOperator<GraphProto> change) {
        return model.toBuilder().setGraph(change.apply(model.getGraph())).build();
    }

    /** onnx::MatMul_N → onnx::MatMul_(1699 - N): the generated numbers in reverse order. */
    private static String reversed(String name) {
        if (!name.startsWith("onnx::MatMul_")) {
            return name;
        }
        return "onnx::MatMul_" + (1699 - Integer.parseInt(name.substring("onnx::MatMul_".length())));
    }
}
