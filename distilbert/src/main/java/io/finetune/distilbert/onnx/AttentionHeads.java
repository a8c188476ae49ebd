package io.finetune.distilbert.onnx;

import io.finetune.distilbert.onnx.proto.NodeProto;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the number of attention heads from the attention scores' scale. The export keeps no head count anywhere,
 * but BertSelfAttention divides {@code Q·Kᵀ} by {@code sqrt(head_dim)} before the softmax, and
 * {@code heads = hidden_size / head_dim}. Exporters write that as {@code Div(scores, sqrt(d))} or as
 * {@code Mul(scores, 1/sqrt(d))}; the attention mask is added between the scale and the softmax.
 */
final class AttentionHeads {
    private AttentionHeads() {}

    static int read(OnnxGraph graph, int hiddenSize, int layers) {
        Set<Long> headDims = new TreeSet<>();
        var softmaxes = graph.nodes("Softmax");
        if (softmaxes.size() != layers) {
            throw new IllegalArgumentException("expected one attention Softmax per layer (" + layers + "), found "
                    + softmaxes.size());
        }
        for (NodeProto softmax : softmaxes) {
            headDims.add(headDim(graph, softmax));
        }
        if (headDims.size() != 1) {
            throw new IllegalArgumentException("attention layers differ in head size " + headDims);
        }
        long headDim = headDims.iterator().next();
        if (hiddenSize % headDim != 0) {
            throw new IllegalArgumentException("attention head size " + headDim + " does not divide hidden size "
                    + hiddenSize);
        }
        return Math.toIntExact(hiddenSize / headDim);
    }

    private static long headDim(OnnxGraph graph, NodeProto softmax) {
        String scores = softmax.getInput(0);
        // The mask is added to the scaled scores; look through that Add to the scale.
        Optional<NodeProto> masked = graph.producer(scores, "Add");
        if (masked.isPresent()) {
            scores = masked.get().getInputList().stream()
                    .filter(in -> graph.producer(in).map(n -> isScale(graph, n)).orElse(false))
                    .findFirst().orElse(scores);
        }
        NodeProto scale = graph.producer(scores).filter(n -> isScale(graph, n)).orElseThrow(() ->
                new IllegalArgumentException("cannot find the scale of the attention scores before "
                        + OnnxGraph.describe(softmax) + ": expected Div(MatMul(Q, K), sqrt(head_dim)) or Mul by"
                        + " 1/sqrt(head_dim)"));
        float factor = graph.scalar(scale.getInput(1)).orElseThrow();
        double squared = scale.getOpType().equals("Div") ? (double) factor * factor : 1.0 / ((double) factor * factor);
        long headDim = Math.round(squared);
        if (headDim < 1 || Math.abs(squared - headDim) > 1e-3 * headDim) {
            throw new IllegalArgumentException(OnnxGraph.describe(scale) + " scales attention scores by " + factor
                    + ", which is not 1/sqrt of a whole head size");
        }
        return headDim;
    }

    private static boolean isScale(OnnxGraph graph, NodeProto node) {
        return (node.getOpType().equals("Div") || node.getOpType().equals("Mul")) && node.getInputCount() == 2
                && graph.producer(node.getInput(0), "MatMul").isPresent() && graph.scalar(node.getInput(1)).isPresent();
    }
}
