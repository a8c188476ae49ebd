package io.finetune.distilbert.onnx;

import java.nio.file.Path;
import java.util.List;

/** What an import read and wrote: the model's dimensions and where each of the export's tensors went. */
public record ImportReport(String source, String producer, Path directory, BertDimensions dimensions,
                           TensorCounts counts) {

    /** Where the export's tensors went; {@code skipped} are buffers and constants, which BertModel recomputes. */
    public record TensorCounts(int embeddings, int layerNorms, int linearWeights, int biases, List<String> skipped) {
        public int total() {
            return embeddings + layerNorms + linearWeights + biases;
        }
    }

    /** Human-readable lines for the command line. */
    public List<String> lines() {
        BertDimensions d = dimensions;
        return List.of(
                "imported " + source + " (exported by " + producer + ")",
                "into " + directory,
                "model: BertModel, " + d.layers() + " layers, hidden " + d.hiddenSize() + ", " + d.numHeads()
                        + " heads, feed-forward " + d.intermediateSize() + ", vocabulary " + d.vocabSize() + ", "
                        + d.maxPositions() + " positions, " + d.typeVocabSize() + " token types, layer_norm_eps "
                        + d.layerNormEps() + ", GELU (erf), " + (d.pooler() ? "with" : "without") + " pooler",
                "tensors written: " + counts.total() + " float32 = " + counts.embeddings() + " embedding tables + "
                        + counts.layerNorms() + " LayerNorm weights and biases + " + counts.linearWeights()
                        + " linear weights (found by graph structure, transposed to [out, in]) + " + counts.biases()
                        + " linear biases",
                "not written: " + (counts.skipped().isEmpty() ? "nothing" : counts.skipped()
                        + " (buffers and constants of the computation)"));
    }

}
