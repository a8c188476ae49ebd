package io.finetune.distilbert.onnx;

import io.finetune.distilbert.onnx.proto.TensorProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every BertModel parameter under its Hugging Face name, in the order of BertModel's state dict, with the linear
 * weights transposed from the export's {@code [in, out]} to {@code nn.Linear}'s {@code [out, in]}. Each shape is
 * checked against the dimensions, and every float tensor of the export must end up somewhere: a weight that nothing
 * maps would mean the export computes something BertModel does not.
 */
final class BertWeights {
    /**
     * One float32 tensor of the model: where the export stores it and whether it is transposed on the way. The
     * values are decoded only when written, one tensor at a time, so an import holds little more than the export.
     */
    record Tensor(long[] shape, TensorProto source, boolean transposed) {
        float[] values() {
            float[] stored = OnnxTensors.floats(source);
            return transposed ? transpose(stored, (int) shape[1], (int) shape[0]) : stored;
        }
    }

    /** Stored buffers of BertModel that are not parameters: transformers recomputes them. */
    private static final Set<String> BUFFERS = Set.of("embeddings.position_ids", "embeddings.token_type_ids");

    private final OnnxGraph graph;
    private final Map<String, TensorProto> linear;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();
    private int embeddings;
    private int layerNorms;
    private int linearWeights;
    private int biases;

    private BertWeights(OnnxGraph graph) {
        this.graph = graph;
        this.linear = LinearWeights.find(graph);
    }

    static BertWeights read(OnnxGraph graph, BertDimensions d) {
        BertWeights w = new BertWeights(graph);
        long h = d.hiddenSize();
        for (String table : BertDimensions.EMBEDDINGS) {
            w.named(table, graph.initializer(table).getDims(0), h);
            w.embeddings++;
        }
        w.layerNorm("embeddings.LayerNorm", h);
        for (int layer = 0; layer < d.layers(); layer++) {
            String p = "encoder.layer." + layer + ".";
            for (String s : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense")) {
                w.dense(p + s, h, h);
            }
            w.layerNorm(p + "attention.output.LayerNorm", h);
            w.dense(p + "intermediate.dense", d.intermediateSize(), h);
            w.dense(p + "output.dense", h, d.intermediateSize());
            w.layerNorm(p + "output.LayerNorm", h);
        }
        if (d.pooler()) {
            w.dense("pooler.dense", h, h);
        }
        return w;
    }

    Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The counts, after checking that every tensor of the export was placed or is a constant or buffer. */
    ImportReport.TensorCounts counts() {
        List<String> skipped = new ArrayList<>();
        for (TensorProto t : graph.initializers().values()) {
            if (used.contains(t.getName())) {
                continue;
            }
            if (BUFFERS.contains(t.getName()) || isConstant(t)) {
                skipped.add(t.getName());
            } else {
                throw new IllegalArgumentException("initializer " + OnnxTensors.describe(t)
                        + " is no BertModel parameter this importer can place; refusing to drop it");
            }
        }
        return new ImportReport.TensorCounts(embeddings, layerNorms, linearWeights, biases, skipped);
    }

    private void layerNorm(String prefix, long hidden) {
        named(prefix + ".weight", hidden);
        named(prefix + ".bias", hidden);
        layerNorms += 2;
    }

    /** nn.Linear(in, out): weight [out, in] from the export's [in, out], and the bias. */
    private void dense(String prefix, long out, long in) {
        TensorProto weight = linear.get(prefix + ".weight");
        requireShape(weight, new long[] {in, out}, prefix + ".weight (stored as [in, out])");
        used.add(weight.getName());
        OnnxTensors.requireFloats(weight);
        tensors.put(prefix + ".weight", new Tensor(new long[] {out, in}, weight, true));
        linearWeights++;
        named(prefix + ".bias", out);
        biases++;
    }

    private void named(String name, long... shape) {
        TensorProto t = graph.initializer(name);
        requireShape(t, shape, name);
        used.add(name);
        OnnxTensors.requireFloats(t);
        tensors.put(name, new Tensor(shape, t, false));
    }

    private static void requireShape(TensorProto t, long[] expected, String what) {
        if (t == null) {
            throw new IllegalArgumentException("the export lacks " + what);
        }
        if (!Arrays.equals(OnnxTensors.dims(t), expected)) {
            throw new IllegalArgumentException(what + " is " + OnnxTensors.describe(t) + ", expected shape "
                    + Arrays.toString(expected));
        }
    }

    /** Integer index tensors and single floats are constants of the computation (shapes, epsilon, scales). */
    private static boolean isConstant(TensorProto t) {
        return t.getDataType() != TensorProto.DataType.FLOAT_VALUE || OnnxTensors.count(t) == 1;
    }

    /** [rows, cols] → [cols, rows]. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[r * cols + c];
            }
        }
        return t;
    }
}
