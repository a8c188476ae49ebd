package io.finetune.distilbert.onnx;

import io.finetune.distilbert.onnx.proto.NodeProto;
import io.finetune.distilbert.onnx.proto.TensorProto;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Names the weight matrices of the linear layers by the graph's structure. PyTorch's exporter keeps the parameter
 * names of the embeddings, LayerNorms and biases, but stores each {@code nn.Linear} weight transposed, as
 * {@code [in, out]}, under a generated name such as {@code onnx::MatMul_787} that says nothing about which layer it
 * belongs to (and changes with every export). What does say it: the weight is the right operand of a {@code MatMul}
 * whose result an {@code Add} combines with the layer's named bias. Names alone are never used.
 */
final class LinearWeights {
    /** The biases of BertModel's linear layers; the weight has the same name with {@code weight} for {@code bias}. */
    static final Pattern LINEAR_BIAS = Pattern.compile("(encoder\\.layer\\.\\d+\\.(attention\\.self\\.(query|key|value)"
            + "|attention\\.output\\.dense|intermediate\\.dense|output\\.dense)|pooler\\.dense)\\.bias");

    private LinearWeights() {}

    /** Hugging Face weight name → the initializer that holds it, as {@code [in, out]}. */
    static Map<String, TensorProto> find(OnnxGraph graph) {
        Map<String, TensorProto> byName = new LinkedHashMap<>();
        for (NodeProto matmul : graph.nodes("MatMul")) {
            if (graph.initializer(matmul.getInput(0)) != null) {
                throw new IllegalArgumentException("weight " + OnnxTensors.describe(graph.initializer(matmul.getInput(0)))
                        + " is the left operand of " + OnnxGraph.describe(matmul)
                        + "; a linear layer's weight is the right one (x · W)");
            }
            TensorProto weight = graph.initializer(matmul.getInput(1));
            if (weight == null) {
                continue; // activations times activations: attention scores and their weighted sum
            }
            String bias = addedBias(graph, matmul, weight);
            String name = weightName(bias);
            TensorProto biasTensor = graph.initializer(bias);
            if (weight.getDimsCount() != 2 || weight.getDims(1) != OnnxTensors.count(biasTensor)) {
                throw new IllegalArgumentException("weight " + OnnxTensors.describe(weight) + " does not fit its bias "
                        + OnnxTensors.describe(biasTensor) + ": expected [in, " + OnnxTensors.count(biasTensor) + "]");
            }
            if (byName.put(name, weight) != null) {
                throw new IllegalArgumentException("two MatMul weights are added to the bias " + bias);
            }
        }
        for (String initializer : graph.initializers().keySet()) {
            if (LINEAR_BIAS.matcher(initializer).matches() && !byName.containsKey(weightName(initializer))) {
                throw new IllegalArgumentException("bias " + initializer + " is added to no MatMul with a weight, so "
                        + weightName(initializer) + " cannot be found");
            }
        }
        return byName;
    }

    static String weightName(String bias) {
        return bias.substring(0, bias.length() - "bias".length()) + "weight";
    }

    private static String addedBias(OnnxGraph graph, NodeProto matmul, TensorProto weight) {
        String product = matmul.getOutput(0);
        List<NodeProto> consumers = graph.consumers(product);
        List<String> biases = consumers.stream().filter(n -> n.getOpType().equals("Add"))
                .map(n -> OnnxGraph.otherInput(n, product)).flatMap(Optional::stream)
                .filter(input -> graph.initializer(input) != null && LINEAR_BIAS.matcher(input).matches())
                .toList();
        if (consumers.size() != 1 || biases.size() != 1) {
            throw new IllegalArgumentException("weight " + OnnxTensors.describe(weight) + " of "
                    + OnnxGraph.describe(matmul) + " feeds no Add with a named bias of a BertModel linear layer;"
                    + " its product goes to " + consumers.stream().map(OnnxGraph::describe).toList());
        }
        return biases.get(0);
    }
}
