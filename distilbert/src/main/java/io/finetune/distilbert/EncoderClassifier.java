package io.finetune.distilbert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Hugging Face's {@code DistilBertForSequenceClassification} and {@code BertForSequenceClassification}: one
 * post-LN transformer encoder with a classification head on [CLS], computed with DJL NDArray operations on the
 * PyTorch engine. The family's {@link CheckpointLayout} names the parameters and decides the few differences (token
 * type embeddings, the head's activation, dropout after attention); the forward pass is the same code for both.
 * Parameters are plain NDArrays kept under their exact Hugging Face names, so checkpoints load and save without any
 * renaming and gradients can be compared name by name.
 *
 * <p>Intermediate arrays of {@link #logits} are created in the manager of the input ids, so a caller that creates
 * its inputs in a per-batch sub-manager frees everything by closing it. Parameters are only updated in place while
 * PyTorch's grad mode is off (outside a {@code GradientCollector}), which is what DJL does by default.
 */
public final class EncoderClassifier implements AutoCloseable {

    private static final List<String> TOKENIZER_FILES =
            List.of("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json");

    private final EncoderConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final Embeddings embeddings;
    private final List<Layer> layers;
    private final Head head;

    private EncoderClassifier(EncoderConfig config, NDManager manager, Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.parameters = Collections.unmodifiableMap(parameters);
        parameters.values().forEach(p -> p.setRequiresGradient(true));
        CheckpointLayout layout = config.layout();
        this.embeddings = new Embeddings(p(layout.wordEmbeddings() + ".weight"),
                p(layout.positionEmbeddings() + ".weight"),
                layout.tokenTypeEmbeddings() == null ? null : p(layout.tokenTypeEmbeddings() + ".weight"),
                norm(layout.embeddingNorm()));
        List<Layer> built = new ArrayList<>();
        for (int i = 0; i < config.nLayers(); i++) {
            CheckpointLayout.LayerNames n = layout.layer(i);
            built.add(new Layer(linear(n.query()), linear(n.key()), linear(n.value()), linear(n.attentionOutput()),
                    norm(n.attentionNorm()), linear(n.intermediate()), linear(n.output()), norm(n.outputNorm())));
        }
        this.layers = List.copyOf(built);
        this.head = new Head(linear(layout.pooler()), layout.poolerActivation(), linear(layout.classifier()));
    }

    /** A linear layer's parameters; {@code weight} is [out, in] as in {@code nn.Linear}. */
    private record Linear(NDArray weight, NDArray bias) {
        NDArray apply(NDArray x) {
            return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
        }
    }

    private record Norm(NDArray weight, NDArray bias) {}

    /** {@code tokenTypes} is null for a family without token type embeddings. */
    private record Embeddings(NDArray words, NDArray positions, NDArray tokenTypes, Norm norm) {}

    private record Layer(Linear query, Linear key, Linear value, Linear attentionOutput, Norm attentionNorm,
                         Linear intermediate, Linear output, Norm outputNorm) {}

    /** The dense layer on [CLS] (DistilBERT's pre-classifier, BERT's pooler), its activation, the classifier. */
    private record Head(Linear pooler, CheckpointLayout.PoolerActivation activation, Linear classifier) {}

    // ---------------------------------------------------------------- construction

    /** A new model with Hugging Face's initialisation ({@code _init_weights}), reproducible from {@code seed}. */
    public static EncoderClassifier create(EncoderConfig config, long seed, Device device) {
        NDManager manager = Torch.engine().newBaseManager(device);
        try {
            return new EncoderClassifier(config, manager,
                    CheckpointWeights.initialise(config, manager, new Random(seed)));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Loads a Hugging Face directory ({@code config.json} + {@code model.safetensors}) of any {@link ModelFamily}.
     * A base or pretraining checkpoint (unprefixed names, masked-LM or next-sentence heads) gets a freshly
     * initialised classification head (and BERT pooler, where it has none), as does a classification checkpoint
     * whose head does not match the requested number of labels.
     *
     * @param labels class names, or {@code null} to keep the checkpoint's {@code id2label}
     */
    public static EncoderClassifier load(Path hfDir, List<String> labels, Device device) {
        return load(hfDir, labels, device, 42);
    }

    /** As {@link #load(Path, List, Device)}, with the seed used for any newly initialised head. */
    public static EncoderClassifier load(Path hfDir, List<String> labels, Device device, long headSeed) {
        EncoderConfig config = EncoderConfig.read(hfDir.resolve("config.json"));
        if (labels != null) {
            config = config.withLabels(labels);
        }
        NDManager manager = Torch.engine().newBaseManager(device);
        try {
            return new EncoderClassifier(config, manager, CheckpointWeights.load(hfDir.resolve("model.safetensors"),
                    config, labels != null, manager, new Random(headSeed)));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Every parameter's Hugging Face name and shape, in state-dict order. */
    public static Map<String, Shape> expectedShapes(EncoderConfig c) {
        return c.layout().shapes(c);
    }

    private Linear linear(String name) {
        return new Linear(p(name + ".weight"), p(name + ".bias"));
    }

    private Norm norm(String name) {
        return new Norm(p(name + ".weight"), p(name + ".bias"));
    }

    // ---------------------------------------------------------------- forward

    /**
     * Classification logits [B, numLabels].
     *
     * @param inputIds int64 [B, T]
     * @param attentionMask [B, T], 1 for real tokens and 0 for padding (any numeric type)
     * @param training dropout on when true
     */
    public NDArray logits(NDArray inputIds, NDArray attentionMask, boolean training) {
        NDArray cls = clsHiddenState(inputIds, attentionMask, training);
        NDArray pooled = head.pooler().apply(cls);
        pooled = switch (head.activation()) {
            case RELU -> pooled.getNDArrayInternal().relu();
            case TANH -> pooled.tanh();
        };
        pooled = dropout(pooled, config.classifierDropout(), training);
        return Autocast.toFloat32(head.classifier().apply(pooled)); // the loss and callers take float32 logits
    }

    /** The last layer's hidden state at position 0 ([CLS]), [B, dim]. */
    public NDArray clsHiddenState(NDArray inputIds, NDArray attentionMask, boolean training) {
        return hiddenStates(inputIds, attentionMask, training).get(":, 0, :");
    }

    /** The last layer's hidden states [B, T, dim]. */
    public NDArray hiddenStates(NDArray inputIds, NDArray attentionMask, boolean training) {
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("input ids must be [batch, length], got " + shape);
        }
        if (!attentionMask.getShape().equals(shape)) {
            throw new IllegalArgumentException(
                    "attention mask shape " + attentionMask.getShape() + " differs from input ids " + shape);
        }
        long length = shape.get(1);
        if (length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("Sequence length " + length + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        NDArray ids = inputIds.toType(DataType.INT64, false);
        NDArray x = embed(ids, training);
        NDArray maskBias = attentionBias(attentionMask, shape.get(0), length);
        // √headDim, the queries' divisor, as an array of the batch's manager rather than a Java number: DJL turns
        // a number into a temporary tensor over a direct buffer and closes it right after the op, while autograd
        // keeps it for the backward pass; once the garbage collector frees that buffer, backward reads freed memory
        // (GarbageCollectionTest). One array per forward serves all layers.
        NDArray scale = ids.getManager().create((float) Math.sqrt(config.headDim()));
        for (Layer layer : layers) {
            x = encoderLayer(layer, x, maskBias, scale, training);
        }
        return x;
    }

    /**
     * The attention mask as an additive bias [B, 1, 1, T] built once for all layers: float32's lowest value where the
     * key is padding, 0 elsewhere; {@code null} when no key is padding (full-length batches skip masking entirely).
     * Adding it broadcasts over heads and queries and gives exactly HF's {@code masked_fill(mask, finfo.min)}: a
     * score plus {@code -Float.MAX_VALUE} rounds to {@code -Float.MAX_VALUE} for any score below 1e31, and the
     * softmax gradient at those positions is zero either way. Masking per layer with {@code where} needed a full
     * [B, H, T, T] mask and fill tensor in every layer, because DJL's {@code where} does not broadcast.
     */
    private static NDArray attentionBias(NDArray attentionMask, long batch, long length) {
        NDArray keyIsPadding = attentionMask.eq(0);
        if (!keyIsPadding.any().getBoolean()) {
            return null;
        }
        return keyIsPadding.toType(DataType.FLOAT32, false).muli(-Float.MAX_VALUE).reshape(batch, 1, 1, length);
    }

    /** Words + positions (+ token type 0 for BERT), LayerNorm, dropout. */
    private NDArray embed(NDArray ids, boolean training) {
        NDManager m = ids.getManager();
        NDArray words = lookup(ids, embeddings.words());
        // nn.Embedding(padding_idx=pad) gives the padding row no gradient: take its value without history there.
        // Batches without a padding token (full-length ones) skip the [B, T, dim] mask and select.
        NDArray isPad = ids.eq(config.padTokenId());
        if (isPad.any().getBoolean()) {
            words = NDArrays.where(isPad.expandDims(-1).broadcast(words.getShape()), words.stopGradient(), words);
        }
        NDArray x = words;
        if (embeddings.tokenTypes() != null) {
            // Single texts: every token is of type 0, so one row [1, dim] broadcasts over the batch. It is looked up
            // like the words (not sliced from the parameter), so the result lives in the batch's manager.
            NDArray typeZero = m.zeros(new Shape(1), DataType.INT64);
            x = x.add(lookup(typeZero, embeddings.tokenTypes()));
        }
        NDArray positionIds = m.arange(0, (int) ids.getShape().get(1)).toType(DataType.INT64, false);
        x = x.add(lookup(positionIds, embeddings.positions()));
        x = layerNorm(x, embeddings.norm());
        return dropout(x, config.dropout(), training);
    }

    private static NDArray lookup(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** A post-LN encoder layer: self-attention, residual and LayerNorm; feed-forward, residual and LayerNorm. */
    private NDArray encoderLayer(Layer layer, NDArray x, NDArray maskBias, NDArray scale, boolean training) {
        NDArray attention = layer.attentionOutput().apply(selfAttention(layer, x, maskBias, scale, training));
        if (config.layout().dropoutAfterAttentionOutput()) {
            attention = dropout(attention, config.dropout(), training);
        }
        NDArray h = layerNorm(attention.add(x), layer.attentionNorm());
        NDArray ffn = layer.intermediate().apply(h);
        ffn = ffn.getNDArrayInternal().gelu(); // torch.nn.functional.gelu: exact (erf) form
        ffn = layer.output().apply(ffn);
        ffn = dropout(ffn, config.dropout(), training);
        return layerNorm(ffn.add(h), layer.outputNorm());
    }

    /** Multi-head scaled dot-product attention; the heads' context, concatenated [B, T, dim]. */
    private NDArray selfAttention(Layer layer, NDArray x, NDArray maskBias, NDArray scale, boolean training) {
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        int heads = config.nHeads();
        int headDim = config.headDim();
        NDArray q = splitHeads(layer.query().apply(x), batch, length, heads, headDim).div(scale);
        NDArray k = splitHeads(layer.key().apply(x), batch, length, heads, headDim);
        NDArray v = splitHeads(layer.value().apply(x), batch, length, heads, headDim);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // [B, H, T, T]
        // Softmax in float32: under mixed precision the scores are bfloat16, which adding the float32 mask promotes,
        // and which DJL's softmax could not be handed (Autocast); without padding they are converted.
        scores = maskBias != null ? scores.add(maskBias) : Autocast.toFloat32(scores);
        NDArray weights = scores.softmax(-1);
        weights = dropout(weights, config.attentionDropout(), training);
        return weights.matMul(v) // [B, H, T, headDim]
                .transpose(0, 2, 1, 3)
                .reshape(batch, length, (long) heads * headDim);
    }

    private static NDArray splitHeads(NDArray x, long batch, long length, int heads, int headDim) {
        return x.reshape(batch, length, heads, headDim).transpose(0, 2, 1, 3);
    }

    private NDArray layerNorm(NDArray x, Norm norm) {
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(config.dim()), norm.weight(), norm.bias(), (float) config.layerNormEps())
                .singletonOrThrow();
    }

    private static NDArray dropout(NDArray x, double rate, boolean training) {
        if (!training || rate <= 0) {
            return x;
        }
        return x.getNDArrayInternal().dropout(x, (float) rate, true).singletonOrThrow();
    }

    private NDArray p(String name) {
        NDArray array = parameters.get(name);
        if (array == null) {
            throw new IllegalStateException("No parameter " + name);
        }
        return array;
    }

    // ---------------------------------------------------------------- persistence

    /** Writes {@code config.json} and {@code model.safetensors} (float32, HF names), loadable by {@code from_pretrained}. */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dir, e);
        }
        config.write(dir.resolve("config.json"));
        Safetensors.write(dir.resolve("model.safetensors"), parameters);
    }

    /** Copies the tokenizer files that exist in {@code from} (tokenizer.json, vocab.txt, ...) into {@code to}. */
    public static void copyTokenizerFiles(Path from, Path to) {
        try {
            Files.createDirectories(to);
            for (String name : TOKENIZER_FILES) {
                Path source = from.resolve(name);
                if (Files.isRegularFile(source)) {
                    Files.copy(source, to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy tokenizer files from " + from + " to " + to, e);
        }
    }

    // ---------------------------------------------------------------- accessors

    public EncoderConfig config() {
        return config;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** Parameters by Hugging Face name, in state-dict order. The arrays are live: updating them changes the model. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** A sub-manager of the model's manager on its device, for the arrays of one batch; close it after the batch. */
    public NDManager newBatchManager() {
        return manager.newSubManager();
    }

    /** The number of arrays the model's manager holds; stays constant across batches when nothing leaks. */
    int managedArrayCount() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        manager.close();
    }
}
