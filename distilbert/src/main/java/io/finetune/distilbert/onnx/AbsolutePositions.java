package io.finetune.distilbert.onnx;

import io.finetune.distilbert.onnx.proto.NodeProto;
import io.finetune.distilbert.onnx.proto.TensorProto;

import java.util.Optional;

/**
 * Checks that positions are looked up as BertModel does by default: rows {@code 0 … seq_len-1} of
 * {@code position_embeddings} ({@code position_embedding_type: "absolute"}). The export slices them from a stored
 * {@code position_ids} tensor, an initializer or a constant.
 */
final class AbsolutePositions {
    static final String TABLE = "embeddings.position_embeddings.weight";

    private AbsolutePositions() {}

    static void check(OnnxGraph graph) {
        NodeProto gather = graph.consumers(TABLE).stream()
                .filter(n -> n.getOpType().equals("Gather") && n.getInput(0).equals(TABLE)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(TABLE + " is read by no Gather"));
        String ids = gather.getInput(1);
        NodeProto slice = graph.producer(ids, "Slice").orElseThrow(() -> unconfirmed(graph, ids));
        long[] stored = graph.constant(slice.getInput(0)).filter(AbsolutePositions::isIndexTensor)
                .map(OnnxTensors::longs).orElseThrow(() -> unconfirmed(graph, ids));
        Optional<long[]> starts = slice.getInputCount() > 1
                ? graph.constant(slice.getInput(1)).filter(AbsolutePositions::isIndexTensor).map(OnnxTensors::longs)
                : Optional.empty();
        for (int i = 0; i < stored.length; i++) {
            if (stored[i] != i) {
                throw new IllegalArgumentException("the position ids sliced from " + slice.getInput(0)
                        + " are not 0, 1, 2, …: position " + i + " is " + stored[i]);
            }
        }
        if (starts.isEmpty() || starts.get().length != 1 || starts.get()[0] != 0) {
            throw new IllegalArgumentException("the position ids are not sliced from position 0 ("
                    + OnnxGraph.describe(slice) + ")");
        }
    }

    private static boolean isIndexTensor(TensorProto t) {
        return t.getDataType() == TensorProto.DataType.INT64_VALUE || t.getDataType() == TensorProto.DataType.INT32_VALUE;
    }

    private static IllegalArgumentException unconfirmed(OnnxGraph graph, String ids) {
        return new IllegalArgumentException("the rows of " + TABLE + " are chosen by " + ids + " from "
                + graph.producer(ids).map(OnnxGraph::describe).orElse("a graph input")
                + "; only a slice of stored position ids 0, 1, 2, … (absolute positions) is supported");
    }
}
