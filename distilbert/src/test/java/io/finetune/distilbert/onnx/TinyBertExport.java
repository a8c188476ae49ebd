package io.finetune.distilbert.onnx;

import com.google.protobuf.ByteString;
import io.finetune.distilbert.onnx.proto.AttributeProto;
import io.finetune.distilbert.onnx.proto.GraphProto;
import io.finetune.distilbert.onnx.proto.ModelProto;
import io.finetune.distilbert.onnx.proto.NodeProto;
import io.finetune.distilbert.onnx.proto.OperatorSetIdProto;
import io.finetune.distilbert.onnx.proto.TensorProto;
import io.finetune.distilbert.onnx.proto.ValueInfoProto;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A two-layer BERT encoder (hidden 8, 2 heads, feed-forward 16) built as PyTorch's exporter writes BertModel at opset
 * 11: decomposed LayerNorms with their epsilon as a constant, anonymous {@code onnx::MatMul_N} weights stored
 * {@code [in, out]} and added to named biases, attention scores divided by sqrt(head_dim), GELU through Erf, position
 * ids sliced from a stored {@code embeddings.position_ids}. Tests break one thing at a time.
 */
public final class TinyBertExport {
    public static final int LAYERS = 2;
    public static final int HIDDEN = 8;
    public static final int HEADS = 2;
    public static final int FFN = 16;
    public static final int POSITIONS = 16;
    public static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "movie",
            "was", "great", "bad", "##s", ".");

    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("main_graph");
    private final Random random = new Random(7);
    private int anonymous = 700;
    private int nodes;

    private TinyBertExport() {}

    public static ModelProto model() {
        TinyBertExport export = new TinyBertExport();
        for (String input : List.of("input_ids", "attention_mask", "token_type_ids")) {
            export.graph.addInput(ValueInfoProto.newBuilder().setName(input));
        }
        String mask = export.extendedMask();
        String x = export.embeddings();
        for (int layer = 0; layer < LAYERS; layer++) {
            x = export.layer(layer, x, mask);
        }
        export.graph.addOutput(ValueInfoProto.newBuilder().setName(x));
        return ModelProto.newBuilder().setIrVersion(6).setProducerName("pytorch").setProducerVersion("2.0.1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(11)).setGraph(export.graph).build();
    }

    /** A BERT WordPiece tokenizer.json over {@link #VOCAB}. */
    public static byte[] tokenizerJson() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        VOCAB.forEach(t -> vocab.put(t, vocab.size()));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1.0");
        json.put("truncation", Map.of("direction", "Right", "max_length", 128, "strategy", "LongestFirst", "stride", 0));
        json.put("padding", null);
        json.put("added_tokens", List.of(Map.of("id", 0, "content", "[PAD]", "special", true)));
        json.put("normalizer", Map.of("type", "BertNormalizer", "clean_text", true, "handle_chinese_chars", true,
                "lowercase", true));
        json.put("pre_tokenizer", Map.of("type", "BertPreTokenizer"));
        json.put("post_processor", Map.of("type", "BertProcessing", "sep", List.of("[SEP]", 3), "cls", List.of("[CLS]", 2)));
        json.put("model", Map.of("type", "WordPiece", "unk_token", "[UNK]", "continuing_subword_prefix", "##",
                "max_input_chars_per_word", 100, "vocab", vocab));
        try {
            return TokenizerFiles.JSON.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A jar laid out as langchain4j's: the export and its tokenizer at the root, next to a class file. */
    public static void writeJar(Path jar, byte[] onnx, String onnxEntry, String tokenizerEntry) throws IOException {
        Files.createDirectories(jar.toAbsolutePath().getParent());
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("dev/langchain4j/Model.class"));
            zip.write(new byte[] {(byte) 0xCA, (byte) 0xFE});
            zip.putNextEntry(new ZipEntry(onnxEntry));
            zip.write(onnx);
            zip.putNextEntry(new ZipEntry(tokenizerEntry));
            zip.write(tokenizerJson());
        }
    }

    // ------------------------------------------------------------------ graph pieces, as the exporter lays them out

    private String extendedMask() {
        String unsqueezed = node("Unsqueeze", List.of("attention_mask"), ints("axes", 1, 2));
        String cast = node("Cast", List.of(unsqueezed), AttributeProto.newBuilder().setName("to")
                .setType(AttributeProto.AttributeType.INT).setI(1).build());
        String inverted = node("Sub", List.of(scalar(1f), cast));
        return node("Mul", List.of(inverted, scalar(-3.4028234663852886e38f)));
    }

    private String embeddings() {
        long[] ids = new long[POSITIONS];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        graph.addInitializer(int64("embeddings.position_ids", new long[] {1, POSITIONS}, ids));
        String positionIds = node("Slice", List.of("embeddings.position_ids", int64Constant(0),
                int64Constant(POSITIONS), int64Constant(1)));
        String words = node("Gather", List.of(floats("embeddings.word_embeddings.weight", VOCAB.size(), HIDDEN),
                "input_ids"));
        String types = node("Gather", List.of(floats("embeddings.token_type_embeddings.weight", 2, HIDDEN),
                "token_type_ids"));
        String sum = node("Add", List.of(words, types));
        String positions = node("Gather", List.of(floats("embeddings.position_embeddings.weight", POSITIONS, HIDDEN),
                positionIds));
        return layerNorm("embeddings.LayerNorm", node("Add", List.of(sum, positions)));
    }

    private String layer(int layer, String x, String mask) {
        String p = "encoder.layer." + layer + ".";
        String q = linear(p + "attention.self.query", x, HIDDEN, HIDDEN);
        String k = linear(p + "attention.self.key", x, HIDDEN, HIDDEN);
        String v = linear(p + "attention.self.value", x, HIDDEN, HIDDEN);
        String keysT = node("Transpose", List.of(k), ints("perm", 0, 2, 1));
        String scores = node("MatMul", List.of(q, keysT));
        String scaled = node("Div", List.of(scores, scalar((float) Math.sqrt(HIDDEN / HEADS))));
        String probs = node("Softmax", List.of(node("Add", List.of(scaled, mask))), ints("axis", 2));
        String context = node("MatMul", List.of(probs, v));
        String attended = linear(p + "attention.output.dense", context, HIDDEN, HIDDEN);
        String norm1 = layerNorm(p + "attention.output.LayerNorm", node("Add", List.of(attended, x)));
        String up = linear(p + "intermediate.dense", norm1, HIDDEN, FFN);
        String erf = node("Erf", List.of(node("Div", List.of(up, scalar(1.4142135f)))));
        String gelu = node("Mul", List.of(node("Mul", List.of(up, node("Add", List.of(erf, scalar(1f))))), scalar(0.5f)));
        String down = linear(p + "output.dense", gelu, FFN, HIDDEN);
        return layerNorm(p + "output.LayerNorm", node("Add", List.of(down, norm1)));
    }

    private String layerNorm(String prefix, String x) {
        String mean = node("ReduceMean", List.of(x), ints("axes", -1));
        String centered = node("Sub", List.of(x, mean));
        String variance = node("ReduceMean", List.of(node("Pow", List.of(centered, scalar(2f)))), ints("axes", -1));
        String std = node("Sqrt", List.of(node("Add", List.of(variance, scalar(9.999999960041972e-13f)))));
        String normalized = node("Div", List.of(centered, std));
        String scaled = node("Mul", List.of(normalized, floats(prefix + ".weight", HIDDEN)));
        return node("Add", List.of(scaled, floats(prefix + ".bias", HIDDEN)));
    }

    /** x · W + b with W anonymous and [in, out]; the exporter puts the bias first in the Add. */
    private String linear(String prefix, String x, int in, int out) {
        String weight = floats("onnx::MatMul_" + anonymous++, in, out);
        String product = node("MatMul", List.of(x, weight));
        return node("Add", List.of(floats(prefix + ".bias", out), product));
    }

    // ------------------------------------------------------------------ protobuf helpers

    private String node(String op, List<String> inputs, AttributeProto... attributes) {
        String name = "/" + op + "_" + nodes++;
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs)
                .addOutput(name + "_output_0");
        for (AttributeProto a : attributes) {
            node.addAttribute(a);
        }
        graph.addNode(node);
        return name + "_output_0";
    }

    private String scalar(float value) {
        return node("Constant", List.of(), AttributeProto.newBuilder().setName("value")
                .setType(AttributeProto.AttributeType.TENSOR).setT(floatTensor("", new long[0], new float[] {value})).build());
    }

    private String int64Constant(long value) {
        return node("Constant", List.of(), AttributeProto.newBuilder().setName("value")
                .setType(AttributeProto.AttributeType.TENSOR).setT(int64("", new long[] {1}, new long[] {value})).build());
    }

    private String floats(String name, long... dims) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        float[] values = new float[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 0.5f;
        }
        graph.addInitializer(floatTensor(name, dims, values));
        return name;
    }

    static TensorProto floatTensor(String name, long[] dims, float[] values) {
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    static TensorProto int64(String name, long[] dims, long[] values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (long v : values) {
            t.addInt64Data(v);
        }
        return t.build();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (name.equals("axis")) {
            return a.setType(AttributeProto.AttributeType.INT).setI(values[0]).build();
        }
        a.setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }
}
