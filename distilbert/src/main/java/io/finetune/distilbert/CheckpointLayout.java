package io.finetune.distilbert;

import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one checkpoint family names and configures the shared encoder, as transformers' {@code PreTrainedModel}
 * subclasses do: the Hugging Face name of every parameter, the keys of {@code config.json}, and the few places where
 * the families' forward passes differ. {@link EncoderClassifier} computes the forward pass from these names alone.
 *
 * <p>Names of linear layers and norms are given without their {@code .weight}/{@code .bias} suffix.
 */
public sealed interface CheckpointLayout permits DistilBertLayout, BertLayout {

    /** The parameter names of encoder layer {@code i}. */
    record LayerNames(String query, String key, String value, String attentionOutput, String attentionNorm,
                      String intermediate, String output, String outputNorm) {}

    /** The activation between the [CLS] projection and the classifier. */
    enum PoolerActivation { RELU, TANH }

    String wordEmbeddings();

    String positionEmbeddings();

    /** Token type (segment) embeddings, or {@code null} where the family has none. */
    String tokenTypeEmbeddings();

    String embeddingNorm();

    LayerNames layer(int i);

    /** The dense layer on the [CLS] state: DistilBERT's {@code pre_classifier}, BERT's pooler. */
    String pooler();

    PoolerActivation poolerActivation();

    String classifier();

    /** BERT applies dropout to the attention output before its residual; DistilBERT does not. */
    boolean dropoutAfterAttentionOutput();

    /** The config from a {@code config.json} of this family; {@code source} names it in errors. */
    EncoderConfig readConfig(Map<String, Object> json, String source);

    /** The {@code config.json} transformers writes for the family's sequence classification model. */
    Map<String, Object> writeConfig(EncoderConfig config);

    /**
     * The name a checkpoint tensor has in the classification model: base checkpoints ({@code DistilBertModel},
     * {@code BertModel}) store the encoder without the model prefix, and old BERT checkpoints call LayerNorm
     * parameters gamma and beta. Names of other heads (masked LM, next sentence) come back unchanged and are unused.
     */
    String canonicalName(String checkpointName);

    /** The prefix shared by the embeddings' parameters (frozen by {@code freezeEmbeddings}). */
    String embeddingsPrefix();

    /** The prefix of encoder layer {@code i}'s parameters (the first layers are frozen by {@code freezeLayers}). */
    String layerPrefix(int i);

    /** Parameters Hugging Face initialises when a checkpoint lacks them: the head a base checkpoint has not got. */
    default boolean initialisedWhenMissing(String name) {
        return name.startsWith(pooler() + ".") || name.startsWith(classifier() + ".");
    }

    /** Whether a parameter's shape follows the number of labels (a new task replaces it, as ignore_mismatched_sizes). */
    default boolean dependsOnLabels(String name) {
        return name.startsWith(classifier() + ".");
    }

    /** The encoder layer a parameter belongs to, or -1. */
    default int layerOf(String name, int layers) {
        for (int i = 0; i < layers; i++) {
            if (name.startsWith(layerPrefix(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Every parameter's name and shape, in the order of the family's PyTorch state dict. */
    default Map<String, Shape> shapes(EncoderConfig c) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        long d = c.dim();
        shapes.put(wordEmbeddings() + ".weight", new Shape(c.vocabSize(), d));
        shapes.put(positionEmbeddings() + ".weight", new Shape(c.maxPositionEmbeddings(), d));
        if (tokenTypeEmbeddings() != null) {
            shapes.put(tokenTypeEmbeddings() + ".weight", new Shape(c.typeVocabSize(), d));
        }
        norm(shapes, embeddingNorm(), d);
        for (int i = 0; i < c.nLayers(); i++) {
            LayerNames l = layer(i);
            linear(shapes, l.query(), d, d);
            linear(shapes, l.key(), d, d);
            linear(shapes, l.value(), d, d);
            linear(shapes, l.attentionOutput(), d, d);
            norm(shapes, l.attentionNorm(), d);
            linear(shapes, l.intermediate(), c.hiddenDim(), d);
            linear(shapes, l.output(), d, c.hiddenDim());
            norm(shapes, l.outputNorm(), d);
        }
        linear(shapes, pooler(), d, d);
        linear(shapes, classifier(), c.numLabels(), d);
        return shapes;
    }

    private static void linear(Map<String, Shape> shapes, String name, long out, long in) {
        shapes.put(name + ".weight", new Shape(out, in));
        shapes.put(name + ".bias", new Shape(out));
    }

    private static void norm(Map<String, Shape> shapes, String name, long d) {
        shapes.put(name + ".weight", new Shape(d));
        shapes.put(name + ".bias", new Shape(d));
    }
}
