package io.finetune.distilbert.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sizes of a BERT encoder as its export shows them: the tables give vocabulary, positions, token types and hidden
 * size, the biases give the layer count and feed-forward size, the graph gives heads and LayerNorm epsilon.
 */
public record BertDimensions(int layers, int hiddenSize, int numHeads, int intermediateSize, int vocabSize,
                      int maxPositions, int typeVocabSize, double layerNormEps, boolean pooler) {

    private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\..*");
    static final List<String> EMBEDDINGS = List.of("embeddings.word_embeddings.weight",
            AbsolutePositions.TABLE, "embeddings.token_type_embeddings.weight");
    /** Per layer, the tensors the export names itself (the linear weights it does not: see {@link LinearWeights}). */
    static final List<String> NAMED_PER_LAYER = List.of("attention.self.query.bias", "attention.self.key.bias",
            "attention.self.value.bias", "attention.output.dense.bias", "attention.output.LayerNorm.weight",
            "attention.output.LayerNorm.bias", "intermediate.dense.bias", "output.dense.bias",
            "output.LayerNorm.weight", "output.LayerNorm.bias");

    static BertDimensions read(OnnxGraph graph) {
        int layers = layerCount(graph);
        requireNamed(graph, layers);
        long[] words = OnnxTensors.dims(graph.initializer(EMBEDDINGS.get(0)));
        int hidden = Math.toIntExact(words[1]);
        int intermediate = Math.toIntExact(OnnxTensors.count(graph.initializer("encoder.layer.0.intermediate.dense.bias")));
        GeluActivation.check(graph, layers);
        AbsolutePositions.check(graph);
        return new BertDimensions(layers, hidden, AttentionHeads.read(graph, hidden, layers), intermediate,
                Math.toIntExact(words[0]), rows(graph, AbsolutePositions.TABLE),
                rows(graph, EMBEDDINGS.get(2)), LayerNormEpsilon.read(graph, layerNorms(layers)),
                graph.initializer("pooler.dense.bias") != null);
    }

    /** The prefixes of all LayerNorms, in model order. */
    static List<String> layerNorms(int layers) {
        List<String> prefixes = new ArrayList<>(List.of("embeddings.LayerNorm"));
        for (int i = 0; i < layers; i++) {
            prefixes.add("encoder.layer." + i + ".attention.output.LayerNorm");
            prefixes.add("encoder.layer." + i + ".output.LayerNorm");
        }
        return prefixes;
    }

    private static int layerCount(OnnxGraph graph) {
        TreeSet<Integer> indices = new TreeSet<>();
        for (String name : graph.initializers().keySet()) {
            Matcher m = LAYER.matcher(name);
            if (m.matches()) {
                indices.add(Integer.parseInt(m.group(1)));
            }
        }
        if (indices.isEmpty() || indices.first() != 0 || indices.last() != indices.size() - 1) {
            throw new IllegalArgumentException("expected initializers named encoder.layer.0 … encoder.layer.N-1 (a"
                    + " BERT encoder exported from PyTorch); found layers " + indices);
        }
        return indices.size();
    }

    private static void requireNamed(OnnxGraph graph, int layers) {
        List<String> missing = new ArrayList<>();
        List<String> names = new ArrayList<>(EMBEDDINGS);
        names.add("embeddings.LayerNorm.weight");
        names.add("embeddings.LayerNorm.bias");
        for (int i = 0; i < layers; i++) {
            for (String suffix : NAMED_PER_LAYER) {
                names.add("encoder.layer." + i + "." + suffix);
            }
        }
        for (String name : names) {
            if (graph.initializer(name) == null) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the export lacks " + missing.size() + " tensors of BertModel: "
                    + (missing.size() > 5 ? missing.subList(0, 5) + " …" : missing));
        }
        for (String table : EMBEDDINGS) {
            if (graph.initializer(table).getDimsCount() != 2) {
                throw new IllegalArgumentException(OnnxTensors.describe(graph.initializer(table)) + " is not a table");
            }
        }
    }

    private static int rows(OnnxGraph graph, String table) {
        return Math.toIntExact(graph.initializer(table).getDims(0));
    }
}
