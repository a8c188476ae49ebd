package io.finetune.distilbert.onnx;

import io.finetune.distilbert.onnx.proto.AttributeProto;
import io.finetune.distilbert.onnx.proto.GraphProto;
import io.finetune.distilbert.onnx.proto.NodeProto;
import io.finetune.distilbert.onnx.proto.TensorProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An ONNX graph indexed for walking it: which node produces each value, which nodes consume it, the initializers
 * (the stored tensors) and the outputs of {@code Constant} nodes, both by name.
 */
final class OnnxGraph {
    private final GraphProto graph;
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, TensorProto> constants = new HashMap<>();
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();

    OnnxGraph(GraphProto graph) {
        this.graph = graph;
        for (TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        for (NodeProto node : graph.getNodeList()) {
            for (String out : node.getOutputList()) {
                producers.put(out, node);
            }
            for (String in : node.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(node);
            }
            if (node.getOpType().equals("Constant") && node.getOutputCount() == 1) {
                attribute(node, "value").filter(AttributeProto::hasT)
                        .ifPresent(a -> constants.put(node.getOutput(0), a.getT()));
            }
        }
    }

    GraphProto proto() {
        return graph;
    }

    Map<String, TensorProto> initializers() {
        return initializers;
    }

    TensorProto initializer(String name) {
        return initializers.get(name);
    }

    /** A value's stored tensor: an initializer or the output of a {@code Constant} node. */
    Optional<TensorProto> constant(String value) {
        return Optional.ofNullable(initializers.getOrDefault(value, constants.get(value)));
    }

    /** A scalar float constant (a one-element tensor), as LayerNorm's epsilon or attention's scale are stored. */
    Optional<Float> scalar(String value) {
        return constant(value).filter(t -> t.getDataType() == TensorProto.DataType.FLOAT_VALUE
                && OnnxTensors.count(t) == 1).map(t -> OnnxTensors.floats(t)[0]);
    }

    Optional<NodeProto> producer(String value) {
        return Optional.ofNullable(producers.get(value));
    }

    /** The producer of {@code value} if it is an {@code opType} node. */
    Optional<NodeProto> producer(String value, String opType) {
        return producer(value).filter(n -> n.getOpType().equals(opType));
    }

    List<NodeProto> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    List<NodeProto> nodes(String opType) {
        return graph.getNodeList().stream().filter(n -> n.getOpType().equals(opType)).toList();
    }

    /** How often each operator occurs, by name, for reports and errors. */
    Map<String, Integer> opCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        graph.getNodeList().forEach(n -> counts.merge(n.getOpType(), 1, Integer::sum));
        return counts;
    }

    static Optional<AttributeProto> attribute(NodeProto node, String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst();
    }

    /** The input of a two-input node that is not {@code known}, or empty when neither or both are. */
    static Optional<String> otherInput(NodeProto node, String known) {
        if (node.getInputCount() != 2) {
            return Optional.empty();
        }
        if (node.getInput(0).equals(known) && !node.getInput(1).equals(known)) {
            return Optional.of(node.getInput(1));
        }
        if (node.getInput(1).equals(known) && !node.getInput(0).equals(known)) {
            return Optional.of(node.getInput(0));
        }
        return Optional.empty();
    }

    /** Operator, node name and inputs, for error messages. */
    static String describe(NodeProto node) {
        return node.getOpType() + " node '" + node.getName() + "' (inputs " + node.getInputList() + ")";
    }
}
