package io.finetune.distilbert.onnx;

import io.finetune.distilbert.onnx.proto.NodeProto;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks that each layer's feed-forward activation is the exact GELU, {@code 0.5·x·(1 + erf(x/√2))}, which is
 * BertModel's {@code hidden_act: "gelu"}. Models trained with the tanh approximation ({@code gelu_new},
 * {@code gelu_pytorch_tanh}) compute something measurably different, so they are refused rather than relabelled.
 */
final class GeluActivation {
    private GeluActivation() {}

    static void check(OnnxGraph graph, int layers) {
        for (int layer = 0; layer < layers; layer++) {
            String bias = "encoder.layer." + layer + ".intermediate.dense.bias";
            Set<String> ops = opsUntilNextMatMul(graph, bias);
            if (ops.contains("Tanh")) {
                throw new IllegalArgumentException("layer " + layer + " uses the tanh approximation of GELU (found "
                        + ops + " after intermediate.dense); only the exact GELU with Erf (hidden_act \"gelu\") is"
                        + " supported");
            }
            if (!ops.contains("Erf")) {
                throw new IllegalArgumentException("layer " + layer + "'s activation after intermediate.dense is not"
                        + " GELU: no Erf among " + ops);
            }
        }
    }

    /** The operators between the intermediate bias and the next linear layer (the activation, spelled out). */
    private static Set<String> opsUntilNextMatMul(OnnxGraph graph, String bias) {
        Set<String> ops = new TreeSet<>();
        Set<String> seen = new HashSet<>();
        Deque<String> values = new ArrayDeque<>();
        graph.consumers(bias).forEach(add -> values.addAll(add.getOutputList()));
        while (!values.isEmpty() && seen.size() < 64) {
            for (NodeProto node : graph.consumers(values.pop())) {
                if (!node.getOpType().equals("MatMul") && seen.add(node.getName() + node.getOutputList())) {
                    ops.add(node.getOpType());
                    values.addAll(node.getOutputList());
                }
            }
        }
        return ops;
    }
}
