package io.finetune.distilbert.onnx;

import io.finetune.distilbert.onnx.proto.NodeProto;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the epsilon of every LayerNorm. At opset 17 and later PyTorch exports a {@code LayerNormalization} operator
 * with an {@code epsilon} attribute; before that it spells the norm out,
 * {@code Mul(Div(x - mean, Sqrt(ReduceMean(Pow(x - mean, 2)) + eps)), weight) + bias}, with eps as a constant.
 */
final class LayerNormEpsilon {
    /** ONNX's default for LayerNormalization's epsilon attribute. */
    private static final float ONNX_DEFAULT = 1e-5f;

    private LayerNormEpsilon() {}

    /** The one epsilon that all the LayerNorms named {@code prefix.weight} use. */
    static double read(OnnxGraph graph, Iterable<String> prefixes) {
        Set<Float> found = new TreeSet<>();
        for (String prefix : prefixes) {
            found.add(epsilon(graph, prefix));
        }
        if (found.size() != 1) {
            throw new IllegalArgumentException("the LayerNorms use different epsilons " + found
                    + "; BertModel has a single layer_norm_eps");
        }
        // Through the float's shortest decimal form, so 1e-12 stored as float32 is written as 1e-12.
        return Double.parseDouble(Float.toString(found.iterator().next()));
    }

    private static float epsilon(OnnxGraph graph, String prefix) {
        String weight = prefix + ".weight";
        for (NodeProto node : graph.consumers(weight)) {
            if (node.getOpType().equals("LayerNormalization") && node.getInputCount() == 3
                    && node.getInput(1).equals(weight) && node.getInput(2).equals(prefix + ".bias")) {
                return OnnxGraph.attribute(node, "epsilon").map(a -> a.getF()).orElse(ONNX_DEFAULT);
            }
            if (node.getOpType().equals("Mul")) {
                Optional<Float> eps = decomposed(graph, node, weight);
                if (eps.isPresent() && addsBias(graph, node, prefix + ".bias")) {
                    return eps.get();
                }
            }
        }
        throw new IllegalArgumentException("LayerNorm " + prefix + ": found neither a LayerNormalization node nor"
                + " Mul(Div(x - mean, Sqrt(variance + eps)), " + weight + ") followed by Add " + prefix + ".bias;"
                + " its weight goes to " + graph.consumers(weight).stream().map(OnnxGraph::describe).toList());
    }

    private static Optional<Float> decomposed(OnnxGraph graph, NodeProto mul, String weight) {
        return OnnxGraph.otherInput(mul, weight)
                .flatMap(normalized -> graph.producer(normalized, "Div"))
                .flatMap(div -> graph.producer(div.getInput(1), "Sqrt"))
                .flatMap(sqrt -> graph.producer(sqrt.getInput(0), "Add"))
                .flatMap(add -> add.getInputList().stream()
                        .filter(in -> graph.producer(in, "ReduceMean").isEmpty())
                        .findFirst().flatMap(graph::scalar));
    }

    private static boolean addsBias(OnnxGraph graph, NodeProto mul, String bias) {
        return graph.consumers(mul.getOutput(0)).stream().anyMatch(n -> n.getOpType().equals("Add")
                && OnnxGraph.otherInput(n, mul.getOutput(0)).filter(bias::equals).isPresent());
    }
}
